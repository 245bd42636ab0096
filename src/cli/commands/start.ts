// `ncml start` (npm start), the main job: train an NCML model on the embedded
// default dataset (Fashion-MNIST) with a CPU preset for a bounded time, then
// evaluate the test set under the LSB sanity test, draw a two-phase and a
// plain-AR sample grid from the trained model, and write a report. The
// default training time leaves room for the rest in about ten minutes.
import { join } from 'node:path';

import type { Command } from 'commander';

import { loadDataset } from '../../data/registry.js';
import { lsbTable } from '../../eval/lsb.js';
import { entriesOf, readMetrics } from '../../runs/metrics.js';
import { defaultRunDir } from '../../runs/run-dir.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { loadTrainedModel } from '../../runs/load.js';
import { DEFAULT_AR_IMPL } from '../../sampling/ar-impl.js';
import type { SamplingMethod } from '../../sampling/completion.js';
import { integer } from '../options.js';
import { resolveMethod } from '../sampling-flags.js';
import { runSampleJob } from '../sample-job.js';
import { describeEngine } from '../engine-demo.js';
import { formatReport } from '../report.js';
import { runTraining } from '../run-training.js';
import { addTrainOptions, typedFlags } from '../train-flags.js';
import { buildTrainConfig } from './train.js';

/** Training time without --time, --steps or --config: evaluation and sampling take the rest of ~10 minutes. */
export const START_TRAINING_SECONDS = 360;

/** Two grids after training: the paper's sampler and the plain-AR baseline (two-phase is skipped for MLE models). */
function sampleGrids(runDir: string, num: number): string[] {
  const trained = loadTrainedModel(runDir);
  const methods: SamplingMethod[] = trained.config.objective === 'mle' ? ['ar'] : ['two-phase', 'ar'];
  const lines: string[] = [];
  for (const method of methods) {
    const flags = {
      checkpoint: runDir,
      weights: 'ema' as const,
      method,
      denoise: true,
      seed: 0,
      arImpl: DEFAULT_AR_IMPL,
    };
    const settings = resolveMethod(flags, () => false, trained);
    const what =
      method === 'ar'
        ? 'plain autoregressive at t = 0'
        : `two-phase (t0 = ${settings.t0}, ${settings.steps} ${settings.predictor} steps)`;
    process.stderr.write(`sampling ${num} images, ${what}...\n`);
    const out = join(runDir, 'samples', `${method}.png`);
    const r = runSampleJob({ trained, settings, num, classLabel: null, classGrid: false, out });
    lines.push(
      `- ${what}: \`${r.files.png}\` (${r.bitsPerDim.toFixed(3)} bits/dim under p(x | 0), ${r.seconds.toFixed(0)} s)`,
    );
  }
  return lines;
}

export function registerStart(program: Command): void {
  const cmd = program
    .command('start')
    .description('the main job: train NCML on Fashion-MNIST, evaluate, sample, and report, in about 10 minutes');
  addTrainOptions(cmd)
    .option('--test-examples <n>', 'test images for the final evaluation', integer(1), 2000)
    .option('--samples <n>', 'images per sample grid (two-phase and plain AR; 0: none)', integer(0), 8)
    .action(async (flags: { testExamples: number; samples: number; out?: string }) => {
      const built = buildTrainConfig(cmd);
      const typed = typedFlags(cmd);
      const config =
        typed.time === undefined && typed.steps === undefined && typed.config === undefined
          ? { ...built.config, timeBudgetSeconds: START_TRAINING_SECONDS }
          : built.config;
      const runDir = flags.out ?? defaultRunDir('start');
      const minutes =
        config.timeBudgetSeconds !== null
          ? `${(config.timeBudgetSeconds / 60).toFixed(1)} min`
          : `${config.steps} steps`;
      for (const line of describeEngine()) process.stderr.write(line + '\n');
      process.stderr.write(
        `ncml start: ${config.objective.toUpperCase()} on ${config.dataset} for ${minutes}, run directory ${runDir}\n`,
      );
      const { trainer, summary } = await runTraining(config, runDir);
      const test = loadDataset(config.dataset, 'test');
      const limit = Math.min(flags.testExamples, test.count);
      process.stderr.write(`evaluating ${limit} test images at pi = 0, 0.5, 1 with the EMA weights...\n`);
      const lsb = trainer.ema.withAveraged(() => lsbTable(trainer.model, test, [0, 0.5, 1], { limit }));
      const samples = flags.samples > 0 ? sampleGrids(runDir, flags.samples) : [];
      const logs = entriesOf(readMetrics(runDir), 'train');
      const report = formatReport({
        runDir,
        config,
        parameters: trainer.model.numParameters(),
        summary,
        firstLog: logs[0] ?? null,
        lastLog: logs.at(-1) ?? null,
        lsb,
        testExamples: limit,
        testSource: test.source,
      });
      const full =
        samples.length > 0
          ? `${report.trimEnd()}\n\n## Samples (EMA weights, seed 0)\n\n${samples.join('\n')}\n`
          : report;
      writeFileAtomic(join(runDir, 'report.md'), full);
      process.stdout.write(full + `\nreport: ${join(runDir, 'report.md')}\n`);
    });
}
