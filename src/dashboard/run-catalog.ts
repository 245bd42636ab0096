// The runs under --runs, named by their path relative to it ("." for the
// root itself when it is a run). Lookups by id go through the path checks, so
// an id can never name a directory outside the root. Metrics are parsed again
// only when metrics.jsonl changed.
import { statSync } from 'node:fs';

import { findRuns, isRunDir, type Metrics, metricsPath, readMetrics } from '../runs/index.js';
import { HttpError } from './http.js';
import { idSegments, isInside, realRoot, relativeId, resolveInside } from './path-safety.js';

export interface RunRef {
  id: string;
  /** The run's real path. */
  dir: string;
}

export class RunCatalog {
  readonly root: string;
  readonly #metrics = new Map<string, { key: string; metrics: Metrics }>();

  constructor(runsDir: string) {
    this.root = realRoot(runsDir);
  }

  list(): RunRef[] {
    return findRuns(this.root)
      .filter((dir) => isInside(this.root, dir))
      .map((dir) => ({ id: relativeId(this.root, dir) || '.', dir }));
  }

  /** The run with this id; 404 when there is none, 403 for ids that try to leave the root. */
  resolve(id: string): RunRef {
    const dir = id === '.' ? this.root : resolveInside(this.root, idSegments(id), 'directory');
    if (!isRunDir(dir)) throw new HttpError(404, `no run '${id}' under the runs directory`);
    return { id, dir };
  }

  metrics(dir: string): Metrics {
    let key = 'missing';
    try {
      const s = statSync(metricsPath(dir));
      key = `${s.mtimeMs}:${s.size}`;
    } catch {
      // no metrics yet
    }
    const cached = this.#metrics.get(dir);
    if (cached?.key === key) return cached.metrics;
    const metrics = readMetrics(dir);
    this.#metrics.set(dir, { key, metrics });
    return metrics;
  }
}
