// The options every `ncml eval <kind>` takes, and where its results go by
// default: eval/<kind>/ inside the run directory of the (first) checkpoint.
import { join } from 'node:path';

import type { Command } from 'commander';

import { choice, integer } from './options.js';

export interface CommonEvalFlags {
  /** One or more checkpoints or run directories. */
  checkpoint: string[];
  examples?: number;
  seed: number;
  out?: string;
  weights: 'ema' | 'model';
}

const collect = (value: string, previous: string[] | undefined): string[] => [
  ...(previous ?? []),
  ...value.split(',').filter(Boolean),
];

/** Adds --checkpoint (repeatable or comma-separated), --examples, --seed, --out and --weights. */
export function addCommonEvalOptions(cmd: Command, { several = false } = {}): Command {
  return cmd
    .requiredOption(
      '--checkpoint <run|ckpt>',
      several
        ? 'checkpoints or run directories (their latest checkpoint), comma-separated or repeated'
        : 'a checkpoint directory, or a run directory (its latest checkpoint)',
      collect,
    )
    .option('--examples <n>', 'evaluate the first n test images', integer(1))
    .option('--seed <n>', 'seed of every random draw of the evaluation', integer(0, 2 ** 32 - 1), 0)
    .option('--out <dir>', 'results directory (default: eval/<kind>/ in the run directory)')
    .option('--weights <which>', 'ema or model', choice(['ema', 'model'] as const), 'ema');
}

/** The results directory of an evaluation. */
export function evalOutDir(kind: string, runDir: string, out: string | undefined): string {
  return out ?? join(runDir, 'eval', kind);
}
