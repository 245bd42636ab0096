// `ncml start` (npm start), the main job: train an NCML model on the embedded
// default dataset (Fashion-MNIST) with a CPU preset for a bounded time, then
// evaluate the test set under the LSB sanity test and write a report.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { Command } from 'commander';

import { loadDataset } from '../../data/registry.js';
import type { StepLog } from '../../train/trainer.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { integer } from '../options.js';
import { describeEngine } from '../engine-demo.js';
import { formatReport } from '../report.js';
import { runTraining } from '../run-training.js';
import { addTrainOptions, buildTrainConfig, defaultRunDir } from './train.js';
import { lsbTable } from './evaluate.js';

function trainLogs(runDir: string): StepLog[] {
  return readFileSync(join(runDir, 'metrics.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as StepLog & { type: string })
    .filter((l) => l.type === 'train');
}

export function registerStart(program: Command): void {
  const cmd = program
    .command('start')
    .description('the main job: train NCML on Fashion-MNIST for ~10 minutes, evaluate, and report');
  addTrainOptions(cmd)
    .option('--test-examples <n>', 'test images for the final evaluation', integer(1), 2000)
    .action(async (flags: Parameters<typeof buildTrainConfig>[1] & { testExamples: number }) => {
      const { config } = buildTrainConfig(cmd, flags);
      const runDir = flags.out ?? defaultRunDir(config, 'start');
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
      const logs = trainLogs(runDir);
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
