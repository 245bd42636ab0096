#!/usr/bin/env node
// The ncml command line.
import { Command, CommanderError } from 'commander';

import { engineInfo } from '../tensor/index.js';
import { runEngineDemo } from './engine-demo.js';

function buildProgram(): Command {
  const program = new Command()
    .name('ncml')
    .description('Noise-conditional maximum-likelihood training and sampling of autoregressive image models')
    .showHelpAfterError()
    .exitOverride();

  program
    .command('info')
    .description('print the tensor engine configuration (libtorch, threads, BLAS, oneDNN, CUDA)')
    .option('--full', 'include libtorch build configuration')
    .action((opts: { full?: boolean }) => {
      const { config, ...rest } = engineInfo();
      console.log(JSON.stringify(opts.full ? { ...rest, config } : rest, null, 2));
    });

  program
    .command('demo')
    .description('train a small conv net for a few steps to prove the engine works')
    .action(() => {
      runEngineDemo();
    });

  program
    .command('start')
    .description('the main job (for now: the engine demo)')
    .action(() => {
      runEngineDemo();
    });

  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    console.error(`ncml: ${(e as Error).message}`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
