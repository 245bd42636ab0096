// `ncml eval`: test-set bits/dim of a checkpoint under the LSB sanity test.
import type { Command } from 'commander';

import { loadDataset } from '../../data/registry.js';
import { lsbTable } from '../../eval/lsb.js';
import { loadTrainedModel } from '../../runs/load.js';
import { choice, integer, number, numberList } from '../options.js';

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
        const { model, config, sde, checkpoint } = loadTrainedModel(o.checkpoint, { weights: o.weights });
        const dataset = loadDataset(o.dataset ?? config.dataset, o.split);
        const rows = lsbTable(model, dataset, o.pi, { limit: o.examples, t: o.t, sde });
        process.stdout.write(
          `${dataset.source}, ${o.split} split, t = ${o.t}, ${o.weights} weights of ${checkpoint}\n`,
        );
        for (const r of rows) process.stdout.write(`pi = ${r.pi}: ${r.bitsPerDim.toFixed(4)} bits/dim\n`);
      },
    );
}
