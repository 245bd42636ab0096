// Whether a run is training now, finished, or stopped early. The trainer
// leaves no pid or end marker, so this is read from what it writes: a run that
// reached its step limit (or used its time budget) is finished; otherwise one
// whose files changed recently is running; anything else stopped (a signal,
// a crash, a kill) and can be resumed.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { checkpointsDir, listCheckpoints, readCheckpointState } from './checkpoint.js';
import type { TrainConfig } from './config.js';
import { entriesOf, type Metrics, metricsPath } from './metrics.js';
import { configPath } from './run-dir.js';

export type RunStatus = 'running' | 'finished' | 'stopped';

export interface RunActivity {
  status: RunStatus;
  /** The newest modification time (ms since the epoch) of the run's config, metrics or checkpoints. */
  lastWriteMs: number;
  /** How long the run may be silent and still count as running, in seconds. */
  quietSeconds: number;
}

/** A run counts as running while it wrote something within this many seconds, at least. */
export const MIN_QUIET_SECONDS = 90;

function mtimeMs(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

/** The newest write the trainer made: config, metrics, the checkpoints folder and what is in it (temp dirs too). */
export function lastWriteMs(runDir: string): number {
  let newest = Math.max(mtimeMs(configPath(runDir)), mtimeMs(metricsPath(runDir)));
  const dir = checkpointsDir(runDir);
  if (existsSync(dir)) {
    newest = Math.max(newest, mtimeMs(dir));
    for (const name of readdirSync(dir)) newest = Math.max(newest, mtimeMs(join(dir, name)));
  }
  return newest;
}

/**
 * The run's status. `config` is null when config.json is missing or damaged
 * (such a run is never "finished"). A run counts as running while its files
 * changed within max(MIN_QUIET_SECONDS, 4 metric lines at its logged speed).
 */
export function runStatus(
  runDir: string,
  config: TrainConfig | null,
  metrics: Metrics,
  nowMs: number = Date.now(),
): RunActivity {
  const last = listCheckpoints(runDir).at(-1);
  let finished = false;
  if (config !== null && last !== undefined) {
    if (config.steps !== null && last.step >= config.steps) finished = true;
    else if (config.steps === null && config.timeBudgetSeconds !== null) {
      try {
        finished = readCheckpointState(last.path).elapsedSeconds >= config.timeBudgetSeconds;
      } catch {
        finished = false; // a damaged state.json is reported elsewhere
      }
    }
  }
  const train = entriesOf(metrics, 'train').at(-1);
  const logEvery = config?.logEvery ?? 1;
  const lineSeconds = train !== undefined && train.stepsPerSecond > 0 ? logEvery / train.stepsPerSecond : 0;
  const quietSeconds = Math.max(MIN_QUIET_SECONDS, 4 * lineSeconds);
  const written = lastWriteMs(runDir);
  const status: RunStatus = finished ? 'finished' : nowMs - written < quietSeconds * 1000 ? 'running' : 'stopped';
  return { status, lastWriteMs: written, quietSeconds };
}
