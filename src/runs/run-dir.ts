// A run directory: what training writes and everything after it reads.
//
//   <run>/config.json       the full training config
//   <run>/metrics.jsonl     training, evaluation and checkpoint entries (metrics.ts)
//   <run>/checkpoints/step-N/   crash-safe checkpoints (checkpoint.ts)
//   <run>/eval/<kind>/      evaluation results; <run>/samples/ sample grids
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

import { CheckpointError, latestCheckpoint, listCheckpoints } from './checkpoint.js';
import { parseTrainConfig, type TrainConfig } from './config.js';
import { metricsPath } from './metrics.js';

export class RunDirError extends Error {}

export function configPath(runDir: string): string {
  return join(runDir, 'config.json');
}

/** runs/<date>-<time>-<label> (UTC). */
export function defaultRunDir(label: string, root = 'runs'): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  return join(root, `${stamp}-${label}`);
}

/** Creates a run directory (and its parents); a path that is a file is refused by name. */
export function createRunDir(runDir: string): string {
  let probe = resolve(runDir);
  // The nearest existing ancestor must be a directory, else mkdir fails with a bare EEXIST/ENOTDIR.
  while (!existsSync(probe) && dirname(probe) !== probe) probe = dirname(probe);
  if (existsSync(probe) && !statSync(probe).isDirectory()) {
    throw new RunDirError(
      probe === resolve(runDir)
        ? `${runDir} is a file; a run directory is expected there (choose another --out)`
        : `${probe} is a file, so the run directory ${runDir} cannot be made inside it (choose another --out)`,
    );
  }
  mkdirSync(runDir, { recursive: true });
  return runDir;
}

/** True when the directory holds a run: a config, metrics or a checkpoint. */
export function isRunDir(dir: string): boolean {
  return (
    existsSync(dir) &&
    statSync(dir).isDirectory() &&
    (existsSync(configPath(dir)) || existsSync(metricsPath(dir)) || listCheckpoints(dir).length > 0)
  );
}

/** True when the directory is one checkpoint (step-N with its state.json). */
export function isCheckpointDir(dir: string): boolean {
  return existsSync(join(dir, 'state.json'));
}

/** The run a checkpoint belongs to: <run>/checkpoints/step-N -> <run>. */
export function runDirOfCheckpoint(checkpoint: string): string {
  return dirname(dirname(checkpoint));
}

/**
 * A checkpoint from what a user typed: a checkpoint directory, or a run
 * directory (its latest complete checkpoint).
 */
export function resolveCheckpoint(path: string, what = '--checkpoint'): { checkpoint: string; runDir: string } {
  if (!existsSync(path)) throw new RunDirError(`${what}: no such file or directory '${path}'`);
  if (!statSync(path).isDirectory()) {
    throw new RunDirError(`${what}: '${path}' is a file; expected a run directory or one of its checkpoints/step-N`);
  }
  if (isCheckpointDir(path)) return { checkpoint: path, runDir: runDirOfCheckpoint(path) };
  const latest = latestCheckpoint(path);
  if (latest !== null) return { checkpoint: latest, runDir: path };
  throw new CheckpointError(
    `${what}: ${path} is neither a checkpoint (no state.json) nor a run directory with a complete checkpoint ` +
      `(nothing in ${join(path, 'checkpoints')})`,
  );
}

/** A run's config.json. */
export function readRunConfig(runDir: string): TrainConfig {
  const file = configPath(runDir);
  if (!existsSync(file)) throw new RunDirError(`${runDir} has no config.json: not a run directory, or not started yet`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new RunDirError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  const withDevice = typeof raw === 'object' && raw !== null ? { device: 'cpu', ...raw } : raw;
  try {
    return parseTrainConfig(withDevice);
  } catch (e) {
    throw new RunDirError(`${file}: ${(e as Error).message}`);
  }
}

/** Every run directory under root (root itself included), searching `depth` levels down, sorted by path. */
export function findRuns(root: string, depth = 3): string[] {
  if (!existsSync(root) || !statSync(root).isDirectory()) return [];
  if (isRunDir(root)) return [root];
  if (depth === 0) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules')
    .flatMap((e) => findRuns(join(root, e.name), depth - 1))
    .sort();
}

/** A short name for a run: its directory's name. */
export function runName(runDir: string): string {
  return basename(resolve(runDir));
}
