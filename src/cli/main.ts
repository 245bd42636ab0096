#!/usr/bin/env node
// The ncml command line.
import { Command, CommanderError } from 'commander';

import { registerComplete } from './commands/complete.js';
import { registerDashboard } from './commands/dashboard.js';
import { registerData } from './commands/data.js';
import { registerEngine } from './commands/engine.js';
import { registerEval } from './commands/evaluate.js';
import { registerSample } from './commands/sample.js';
import { registerReproduce } from './commands/reproduce.js';
import { registerStart } from './commands/start.js';
import { registerTrain } from './commands/train.js';

// After a bad flag or value: the error, the command's usage line, and where to find the rest.
function usageAfterErrors(cmd: Command, path: string): void {
  cmd.showHelpAfterError(`Usage: ${path} ${cmd.usage()}\nRun '${path} --help' for every option.`);
  for (const sub of cmd.commands) usageAfterErrors(sub, `${path} ${sub.name()}`);
}

export function buildProgram(): Command {
  const program = new Command()
    .name('ncml')
    .description('Noise-conditional maximum-likelihood training and sampling of autoregressive image models')
    .exitOverride();
  registerStart(program);
  registerTrain(program);
  registerEval(program);
  registerSample(program);
  registerComplete(program);
  registerReproduce(program);
  registerData(program);
  registerDashboard(program);
  registerEngine(program);
  usageAfterErrors(program, 'ncml');
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    process.stderr.write(`ncml: ${(e as Error).message}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
