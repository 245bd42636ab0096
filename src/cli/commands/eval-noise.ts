// `ncml eval noise`: Delta log p against the noise level t for one or more
// checkpoints, beside each SDE's mean perturbation (paper Sec. 4.1, Fig. 4).
import { basename, join } from 'node:path';

import type { Command } from 'commander';

import {
  type NoiseSweepEvaluation,
  noiseSweepChart,
  noiseSweepMarkdown,
  noiseSweepPerExampleColumns,
  noiseSweepResult,
} from '../../eval/noise-sweep-report.js';
import { type GridSpacing, noiseSweep, timeGrid } from '../../eval/noise-sweep.js';
import { writeEvalOutput, writePerExampleCsv } from '../../eval/result.js';
import { type CommonEvalFlags, addCommonEvalOptions } from '../eval-options.js';
import { type EvalDataFlags, addEvalDataOptions, loadEvalData, resolveEvalOut } from '../eval-models.js';
import { evalProgress } from '../eval-progress.js';
import { choice, integer, numberList } from '../options.js';

export function registerEvalNoise(evalCmd: Command): Command {
  const cmd = evalCmd
    .command('noise')
    .description(
      "Delta log p at pi = 0.5 and 1 against the noise level t, beside the SDE's mean perturbation (paper Fig. 4)",
    );
  addCommonEvalOptions(cmd, { several: true });
  addEvalDataOptions(cmd)
    .option('--pi <list>', 'LSB flip probabilities compared with pi = 0', numberList(0, 1), [0.5, 1])
    .option(
      '--t <list>',
      "noise levels (default: --points equally spaced in [0, T] of each model's SDE)",
      numberList(0, Infinity),
    )
    .option('--points <n>', 'grid size in [0, T] when --t is not given', integer(2), 11)
    .option(
      '--grid <spacing>',
      'log: 0, then geometric from T/1000 to T (where the flips stop mattering); linear: equal steps',
      choice(['log', 'linear'] as const),
      'log',
    )
    .option(
      '--mle-conditioning <what>',
      "what MLE-trained models are told: t (the images' noise level, an input they never saw vary) or zero",
      choice(['t', 'zero'] as const),
      't',
    )
    .action(
      async (
        o: CommonEvalFlags &
          EvalDataFlags & {
            pi: number[];
            t?: number[];
            points: number;
            grid: GridSpacing;
            mleConditioning: 't' | 'zero';
          },
      ) => {
        const started = performance.now();
        const data = loadEvalData(o.checkpoint, { weights: o.weights, dataset: o.dataset, split: o.split });
        const out = resolveEvalOut('noise', data.models[0]!.runDir, o.out);
        const pis = o.pi.filter((pi) => pi !== 0);
        const evals: NoiseSweepEvaluation[] = data.models.map((m, i) => {
          const model = data.infos[i]!;
          const times = o.t ?? timeGrid(m.sde.T, o.points, o.grid);
          const conditioning = m.config.objective === 'mle' ? o.mleConditioning : 't';
          const progress = evalProgress(`noise ${model.label}`);
          try {
            const points = noiseSweep(m.model, data.dataset, m.sde, times, pis, {
              limit: o.examples,
              seed: o.seed,
              batchSize: o.batchSize,
              kind: m.config.noisyLikelihood,
              bf16: o.bf16 ?? m.config.bf16,
              conditioning,
              onProgress: progress.update,
            });
            return { model, points, conditioning };
          } finally {
            progress.stop();
          }
        });
        const count = evals[0]!.points[0]!.rows[0]!.count;
        const settings = { data: data.dataset.source, split: o.split, count, seed: o.seed, weights: o.weights, pis };
        const markdown = noiseSweepMarkdown(evals, settings);
        const seconds = (performance.now() - started) / 1000;
        const written = await writeEvalOutput(out, {
          kind: 'noise',
          result: { ...noiseSweepResult(evals, settings), perExample: 'per-example.csv', seconds },
          markdown,
          charts: { noise: noiseSweepChart(evals, settings) },
        });
        writePerExampleCsv(join(out, 'per-example.csv'), noiseSweepPerExampleColumns(evals));
        process.stdout.write(markdown);
        process.stderr.write(
          `wrote ${out}: result.json, result.md, ${written.charts.map((c) => basename(c)).join(', ')} ` +
            `(+ .svg), per-example.csv (${seconds.toFixed(1)} s)\n`,
        );
      },
    );
  return cmd;
}
