// `ncml start` (npm start), the main job: train an NCML model on the embedded
// default dataset (Fashion-MNIST) with a CPU preset for a bounded time, then
// evaluate the test set under the LSB sanity test and write a report.
import { join } from 'node:path';

import type { Command } from 'commander';

import { loadDataset } from '../../data/registry.js';
import { lsbTable } from '../../eval/lsb.js';
import { entriesOf, readMetrics } from '../../runs/metrics.js';
import { defaultRunDir } from '../../runs/run-dir.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { integer } from '../options.js';
import { describeEngine } from '../engine-demo.js';
import { formatReport } from '../report.js';
import { runTraining } from '../run-training.js';
import { addTrainOptions } from '../train-flags.js';
import { buildTrainConfig } from './train.js';

export function registerStart(program: Command): void {
  const cmd = program
    .command('start')
    .description('the main job: train NCML on Fashion-MNIST for ~10 minutes, evaluate, and report');
  addTrainOptions(cmd)
    .option('--test-examples <n>', 'test images for the final evaluation', integer(1), 2000)
    .action(async (flags: { testExamples: number; out?: string }) => {
      const { config } = buildTrainConfig(cmd);
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
      writeFileAtomic(join(runDir, 'report.md'), report);
      process.stdout.write(report + `\nreport: ${join(runDir, 'report.md')}\n`);
    });
}
