// `ncml eval`: test-set bits/dim of a checkpoint under the LSB sanity test.
import type { Command } from 'commander';

import { loadDataset } from '../../data/registry.js';
import { evaluateBitsPerDim } from '../../eval/bits-per-dim.js';
import { NCPN } from '../../models/ncpn/ncpn.js';
import { createSde } from '../../ncml/sde/index.js';
import { latestCheckpoint, loadCheckpointWeights, readCheckpointState } from '../../train/checkpoint.js';
import { choice, integer, number, numberList } from '../options.js';

export interface LsbRow {
  pi: number;
  bitsPerDim: number;
}

/** Bits/dim at t for each flip rate pi. */
export function lsbTable(
  model: NCPN,
  dataset: ReturnType<typeof loadDataset>,
  pis: number[],
  opts: { limit?: number; t?: number; sde?: ReturnType<typeof createSde> },
): LsbRow[] {
  return pis.map((pi) => ({
    pi,
    bitsPerDim: evaluateBitsPerDim(model, dataset, { pi, limit: opts.limit, t: opts.t, sde: opts.sde }).bitsPerDim,
  }));
}

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description('bits/dim of a trained model on a test set, at LSB-flip rates pi (paper Sec. 3.1)')
    .requiredOption('--checkpoint <dir>', 'a checkpoint directory, or a run directory (its latest checkpoint)')
    .option('--dataset <spec>', 'dataset (default: the one the model was trained on)')
    .option('--split <name>', 'train or test', choice(['train', 'test'] as const), 'test')
    .option('--pi <list>', 'LSB flip probabilities', numberList(0, 1), [0, 0.5, 1])
    .option('--t <t>', 'noise level to condition on (0: clean data)', number(0), 0)
    .option('--examples <n>', 'evaluate the first n images', integer(1))
    .option('--weights <which>', 'ema or model', choice(['ema', 'model'] as const), 'ema')
    .action(
      (o: {
        checkpoint: string;
        dataset?: string;
        split: 'train' | 'test';
        pi: number[];
        t: number;
        examples?: number;
        weights: 'ema' | 'model';
      }) => {
        const path = readCheckpointPath(o.checkpoint);
        const state = readCheckpointState(path);
        const model = new NCPN(state.config.model);
        loadCheckpointWeights(path, model, o.weights);
        const dataset = loadDataset(o.dataset ?? state.config.dataset, o.split);
        const rows = lsbTable(model, dataset, o.pi, { limit: o.examples, t: o.t, sde: createSde(state.config.sde) });
        process.stdout.write(`${dataset.source}, ${o.split} split, t = ${o.t}, ${o.weights} weights of ${path}\n`);
        for (const r of rows) process.stdout.write(`pi = ${r.pi}: ${r.bitsPerDim.toFixed(4)} bits/dim\n`);
      },
    );
}

function readCheckpointPath(dir: string): string {
  try {
    readCheckpointState(dir);
    return dir;
  } catch {
    const latest = latestCheckpoint(dir);
    if (latest === null) throw new Error(`--checkpoint: ${dir} is neither a checkpoint nor a run directory with one`);
    return latest;
  }
}
