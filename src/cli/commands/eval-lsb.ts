// `ncml eval lsb` (also plain `ncml eval`, its original form): the LSB sanity
// test of paper Sec. 3.1 for one or more checkpoints.
import { basename, join } from 'node:path';

import type { Command } from 'commander';

import { type LsbEvaluation, lsbChart, lsbMarkdown, lsbPerExampleColumns, lsbResult } from '../../eval/lsb-report.js';
import { lsbTable } from '../../eval/lsb.js';
import { writeEvalOutput, writePerExampleCsv } from '../../eval/result.js';
import { type CommonEvalFlags, addCommonEvalOptions } from '../eval-options.js';
import { type EvalDataFlags, addEvalDataOptions, loadEvalData, resolveEvalOut } from '../eval-models.js';
import { evalProgress } from '../eval-progress.js';
import { number, numberList } from '../options.js';

export function registerEvalLsb(evalCmd: Command): Command {
  // The default subcommand: `ncml eval --checkpoint .. --pi ..` (the original command) is `ncml eval lsb ...`.
  const cmd = evalCmd
    .command('lsb', { isDefault: true })
    .description('bits/dim at LSB-flip rates pi and Delta log p, with standard errors (paper Sec. 3.1, Table 1)');
  addCommonEvalOptions(cmd, { several: true });
  addEvalDataOptions(cmd)
    .option('--pi <list>', 'LSB flip probabilities', numberList(0, 1), [0, 0.5, 1])
    .option('--t <t>', 'noise level to condition on and perturb to (0: clean data)', number(0), 0)
    .action(async (o: CommonEvalFlags & EvalDataFlags & { pi: number[]; t: number }) => {
      const started = performance.now();
      const data = loadEvalData(o.checkpoint, { weights: o.weights, dataset: o.dataset, split: o.split });
      const out = resolveEvalOut('lsb', data.models[0]!.runDir, o.out);
      const evals: LsbEvaluation[] = data.models.map((m, i) => {
        const model = data.infos[i]!;
        const progress = evalProgress(`lsb ${model.label}`);
        try {
          const rows = lsbTable(m.model, data.dataset, o.pi, {
            limit: o.examples,
            t: o.t,
            sde: m.sde,
            seed: o.seed,
            batchSize: o.batchSize,
            kind: m.config.noisyLikelihood,
            bf16: o.bf16 ?? m.config.bf16,
            onProgress: progress.update,
          });
          return { model, rows };
        } finally {
          progress.stop();
        }
      });
      const count = evals[0]!.rows[0]!.count;
      const settings = { data: data.dataset.source, split: o.split, count, t: o.t, seed: o.seed, weights: o.weights };
      const markdown = lsbMarkdown(evals, settings);
      const seconds = (performance.now() - started) / 1000;
      const written = await writeEvalOutput(out, {
        kind: 'lsb',
        result: { ...lsbResult(evals, settings), perExample: 'per-example.csv', seconds },
        markdown,
        charts: { lsb: lsbChart(evals, settings) },
      });
      writePerExampleCsv(join(out, 'per-example.csv'), lsbPerExampleColumns(evals));
      process.stdout.write(markdown);
      process.stderr.write(
        `wrote ${out}: result.json, result.md, ${written.charts.map((c) => basename(c)).join(', ')} ` +
          `(+ .svg), per-example.csv (${seconds.toFixed(1)} s)\n`,
      );
    });
  return cmd;
}
