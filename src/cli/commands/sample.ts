// `ncml sample`: images from a trained model, by the paper's two-phase
// sampler or plain autoregressive sampling at t = 0, optionally one class or
// a grid with one row per class; writes the PNG grid, <name>.safetensors and
// <name>.json (sampling-output.ts).
import { join } from 'node:path';

import type { Command } from 'commander';

import { loadTrainedModel } from '../../runs/load.js';
import { integer } from '../options.js';
import { runSampleJob } from '../sample-job.js';
import {
  addSamplingOptions,
  checkOutPath,
  SamplingRequestError,
  resolveMethod,
  type SamplingFlags,
} from '../sampling-flags.js';

interface SampleFlags extends SamplingFlags {
  num: number;
  class?: number;
  classGrid?: boolean;
}

export function registerSample(program: Command): void {
  const cmd = program
    .command('sample')
    .description("draw images from a trained model (the paper's two-phase sampler, or plain autoregressive)");
  cmd.requiredOption('--num <n>', 'images to draw (with --class-grid: per class)', integer(1));
  addSamplingOptions(cmd);
  cmd.option('--class <k>', 'draw from class k (class-conditional models)', integer(0));
  cmd.option('--class-grid', 'one row of --num images per class (class-conditional models)');
  cmd.option(
    '--out <file.png>',
    'the grid; <name>.safetensors and <name>.json go beside it (default <run>/samples/<method>-seed<s>.png)',
  );
  cmd.action((flags: SampleFlags) => {
    checkOutPath(flags.out);
    if (flags.class !== undefined && flags.classGrid) {
      throw new SamplingRequestError('give --class <k> or --class-grid, not both');
    }
    const trained = loadTrainedModel(flags.checkpoint, { weights: flags.weights });
    const classes = trained.model.config.numClasses;
    if (classes === null && (flags.class !== undefined || flags.classGrid)) {
      throw new SamplingRequestError(
        `${flags.class !== undefined ? '--class' : '--class-grid'}: ${trained.checkpoint} is an unconditional model (trained without --classes)`,
      );
    }
    if (classes !== null) {
      if (flags.class !== undefined && flags.class >= classes) {
        throw new SamplingRequestError(`--class must be in 0..${classes - 1} for this model, got ${flags.class}`);
      }
      if (flags.class === undefined && !flags.classGrid) {
        throw new SamplingRequestError(
          `this model is class-conditional (${classes} classes): give --class <k> or --class-grid`,
        );
      }
    }
    const settings = resolveMethod(flags, (name) => cmd.getOptionValueSource(name) === 'cli', trained);
    const out = flags.out ?? join(trained.runDir, 'samples', `${settings.method}-seed${settings.seed}.png`);
    process.stderr.write(
      `sampling ${flags.num}${flags.classGrid ? ' per class' : ''} with ${settings.method} from ${trained.checkpoint}\n`,
    );
    const result = runSampleJob({
      trained,
      settings,
      num: flags.num,
      classLabel: flags.class ?? null,
      classGrid: flags.classGrid === true,
      out,
    });
    process.stdout.write(
      `samples: ${result.files.png}\n${result.files.safetensors}\n${result.files.json}\n` +
        `${result.seconds.toFixed(1)} s; mean ${result.bitsPerDim.toFixed(3)} bits/dim under p(x | 0)\n`,
    );
  });
}
