// `ncml info` and `ncml demo`: the engine's configuration, and a proof it trains.
import type { Command } from 'commander';

import { engineInfo } from '../../tensor/index.js';
import { runEngineDemo } from '../engine-demo.js';

export function registerEngine(program: Command): void {
  program
    .command('info')
    .description('print the tensor engine configuration (libtorch, threads, BLAS, oneDNN, CUDA)')
    .option('--full', 'include libtorch build configuration')
    .action((opts: { full?: boolean }) => {
      const { config, ...rest } = engineInfo();
      process.stdout.write(JSON.stringify(opts.full ? { ...rest, config } : rest, null, 2) + '\n');
    });
  program
    .command('demo')
    .description('train a small conv net for a few steps to prove the engine works')
    .action(() => {
      runEngineDemo();
    });
}
