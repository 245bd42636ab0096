// `ncml train`: every training setting as a flag (see ../train-flags.ts); a
// JSON config file as an overlay on the defaults; --resume continues a run
// exactly (flags that would change the model or the objective are refused).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { type Command, InvalidArgumentError } from 'commander';

import { readCheckpointState } from '../../runs/checkpoint.js';
import { overlayTrainConfig, type TrainConfig } from '../../runs/config.js';
import { defaultRunDir, resolveCheckpoint } from '../../runs/run-dir.js';
import { runTraining } from '../run-training.js';
import { addTrainOptions, applyTrainFlags, freshTrainConfig, typedFlags } from '../train-flags.js';

function readConfigFile(path: string): Record<string, unknown> {
  if (!existsSync(path)) throw new InvalidArgumentError(`--config: no such file '${path}'`);
  try {
    const raw: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error('expected a JSON object');
    return raw as Record<string, unknown>;
  } catch (e) {
    throw new Error(`--config ${path}: ${(e as Error).message}`);
  }
}

/** runs/<date>-<time>-<label>, the label defaulting to the objective and SDE. */
export function runDirFor(config: TrainConfig, label = `${config.objective}-${config.sde.kind}`): string {
  return defaultRunDir(label);
}

/** Builds the config the flags describe (fresh run), or the resumed run's with the typed overrides. */
export function buildTrainConfig(cmd: Command): { config: TrainConfig; runDir: string; resumeFrom?: string } {
  const typed = typedFlags(cmd);
  const resume = cmd.opts().resume as string | boolean | undefined;
  const out = typed.out as string | undefined;
  const file = typed.config !== undefined ? readConfigFile(typed.config as string) : null;
  if (resume !== undefined) {
    const target = typeof resume === 'string' ? resume : out;
    if (target === undefined)
      throw new InvalidArgumentError('--resume needs a run directory: pass --resume <dir> or --out <dir>');
    const { checkpoint, runDir } = resolveCheckpoint(target, '--resume');
    let config = readCheckpointState(checkpoint).config;
    if (file !== null) config = withFile(config, file, typed.config as string);
    return { config: applyTrainFlags(config, typed), runDir: out ?? runDir, resumeFrom: checkpoint };
  }
  let fresh: ReturnType<typeof freshTrainConfig>;
  try {
    fresh = freshTrainConfig(typed, file);
  } catch (e) {
    if (file !== null && !(e instanceof InvalidArgumentError))
      throw new Error(`--config ${String(typed.config)}: ${(e as Error).message}`);
    throw e;
  }
  for (const note of fresh.notes) process.stderr.write(`${note}\n`);
  return { config: fresh.config, runDir: out ?? runDirFor(fresh.config) };
}

function withFile(config: TrainConfig, file: Record<string, unknown>, path: string): TrainConfig {
  try {
    return overlayTrainConfig(config, file);
  } catch (e) {
    throw new Error(`--config ${path}: ${(e as Error).message}`);
  }
}

export function registerTrain(program: Command): void {
  const cmd = program.command('train').description('train an NCPN with the NCML (or MLE) objective');
  addTrainOptions(cmd)
    .option('--resume [dir]', 'continue a run from its latest checkpoint (or the given checkpoint)')
    .action(async () => {
      const { config, runDir, resumeFrom } = buildTrainConfig(cmd);
      process.stderr.write(
        `training ${config.objective.toUpperCase()} (${config.sde.kind} SDE, T=${config.sde.T}) on ${config.dataset} into ${runDir}` +
          (resumeFrom ? `, resuming from ${resumeFrom}` : '') +
          '\n',
      );
      const { summary } = await runTraining(config, runDir, resumeFrom);
      process.stdout.write(
        [
          `done: ${summary.steps} steps (${summary.skippedSteps} skipped) in ${summary.elapsedSeconds.toFixed(0)} s, stopped by ${summary.stoppedBy}`,
          `last training loss: ${summary.lastLoss.toFixed(4)} bits/dim`,
          summary.lastEval
            ? `last evaluation: ${summary.lastEval.bitsPerDim.toFixed(4)} bits/dim (step ${summary.lastEval.step})`
            : '',
          `checkpoint: ${summary.checkpoint}`,
          `metrics: ${join(runDir, 'metrics.jsonl')}`,
        ]
          .filter(Boolean)
          .join('\n') + '\n',
      );
    });
}
