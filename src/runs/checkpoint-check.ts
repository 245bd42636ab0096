// A cheap health check of a checkpoint, without loading any weights: its
// state.json parses, and the weight files exist with a header that fits the
// file (a truncated or overwritten file fails here). Tools that list
// checkpoints (the dashboard) show the problems instead of failing later.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { readHeader } from '../serialization/safetensors.js';
import { type CheckpointState, readCheckpointState } from './checkpoint.js';

export interface CheckpointHealth {
  /** The parsed state.json, or null when it is damaged. */
  state: CheckpointState | null;
  /** What is wrong, one message per file; empty for a sound checkpoint. */
  problems: string[];
}

const WEIGHT_FILES = ['model.safetensors', 'ema.safetensors', 'trainer.safetensors'] as const;

export function checkCheckpoint(path: string): CheckpointHealth {
  const problems: string[] = [];
  let state: CheckpointState | null = null;
  try {
    state = readCheckpointState(path);
  } catch (e) {
    problems.push((e as Error).message);
  }
  for (const name of WEIGHT_FILES) {
    const file = join(path, name);
    if (!existsSync(file)) {
      problems.push(`${file} is missing`);
      continue;
    }
    try {
      readHeader(file);
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  return { state, problems };
}
