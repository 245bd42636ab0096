// `ncml eval <kind>`: the paper's measurements of trained models. Each kind
// registers itself from its own file; `ncml eval --checkpoint ..` without a
// kind is `ncml eval lsb` (the command's original form, kept for scripts).
import type { Command } from 'commander';

import { registerEvalLsb } from './eval-lsb.js';
import { registerEvalNoise } from './eval-noise.js';
import { registerEvalOod } from './eval-ood.js';
import { registerEvalQuality } from './eval-quality.js';

export function registerEval(program: Command): Command {
  const evalCmd = program
    .command('eval')
    .description("evaluate trained models: the paper's measurements (without a kind: lsb; ncml eval <kind> --help)");
  registerEvalLsb(evalCmd);
  registerEvalNoise(evalCmd);
  registerEvalOod(evalCmd);
  registerEvalQuality(evalCmd);
  // A bare `ncml eval` would run lsb without a checkpoint: say what the kinds are instead.
  evalCmd.hook('preSubcommand', (cmd) => {
    if (cmd.args.length === 0) {
      const kinds = cmd.commands.map((c) => `  ${c.name().padEnd(8)} ${c.description()}`).join('\n');
      cmd.error(
        `error: ncml eval needs a kind of evaluation and a --checkpoint, e.g. ncml eval lsb --checkpoint <run>\n${kinds}\n` +
          '(ncml eval --checkpoint <run> ... is ncml eval lsb --checkpoint <run> ...)',
      );
    }
  });
  return evalCmd;
}
