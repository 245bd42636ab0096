// Runs a Python snippet with Debian's python3-torch: an independent reference for values.
import { execFileSync } from 'node:child_process';

export const PYTHON = '/usr/bin/python3';

/** Runs code (which must print one JSON document) and returns the parsed result. */
export function runPython<T = unknown>(code: string, input?: unknown): T {
  let out: string;
  try {
    out = execFileSync(PYTHON, ['-c', code], {
      encoding: 'utf8',
      input: input === undefined ? undefined : JSON.stringify(input),
      stdio: ['pipe', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(
      `python reference failed (is python3-torch installed? run 'npm test' as root to bootstrap it): ${err.stderr ?? err.message}`,
    );
  }
  return JSON.parse(out) as T;
}
