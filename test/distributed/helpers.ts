// Spawns the ranks of a distributed test as real processes over 127.0.0.1.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

export interface RankRun {
  rank: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** `RESULT {key, value}` lines by key. */
  results: Map<string, unknown>;
}

/** Runs `script` once per rank (argument: JSON of argsFor(rank)) and resolves when all have exited. */
export function runRanks(script: string, worldSize: number, argsFor: (rank: number) => object): Promise<RankRun[]> {
  return Promise.all(
    Array.from(
      { length: worldSize },
      (_, rank) =>
        new Promise<RankRun>((resolve) => {
          const proc = spawn(process.execPath, [join(fixtures, script), JSON.stringify(argsFor(rank))], {
            stdio: ['ignore', 'pipe', 'pipe'],
            env: { ...process.env, NCML_NUM_THREADS: '1' },
          });
          let stdout = '';
          let stderr = '';
          proc.stdout.on('data', (d) => (stdout += d));
          proc.stderr.on('data', (d) => (stderr += d));
          proc.on('exit', (code, signal) => {
            const results = new Map<string, unknown>();
            for (const line of stdout.split('\n')) {
              if (!line.startsWith('RESULT ')) continue;
              const { key, value } = JSON.parse(line.slice('RESULT '.length)) as { key: string; value: unknown };
              results.set(key, value);
            }
            resolve({ rank, code, signal, stdout, stderr, results });
          });
        }),
    ),
  );
}
