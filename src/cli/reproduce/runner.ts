// Runs the steps of a reproduction one after another as `ncml` child
// processes, showing which runs and the time left in the budget, and keeps a
// log of each step in <out>/logs/. A step that fails stops the run with its
// log's tail; what finished stays, and the next run continues from there.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { Step } from './steps.js';

const CLI = fileURLToPath(new URL('../main.js', import.meta.url));

export interface StepOutcome {
  id: string;
  status: 'skipped' | 'done';
  seconds: number;
}

export class StepFailedError extends Error {}

function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** Runs one step unless it is done; resolves when it finished, rejects naming the step and its log. */
export async function runStep(
  step: Step,
  out: string,
  progress: { index: number; total: number; started: number; budgetSeconds: number },
): Promise<StepOutcome> {
  if (step.done()) return { id: step.id, status: 'skipped', seconds: 0 };
  const logs = join(out, 'logs');
  mkdirSync(logs, { recursive: true });
  const logFile = join(logs, `${step.id.replace(/[^a-z0-9.-]+/gi, '_')}.log`);
  const elapsed = (performance.now() - progress.started) / 1000;
  process.stderr.write(
    `[reproduce ${progress.index}/${progress.total}] ${step.label} ` +
      `(${clock(elapsed)} elapsed, ${clock(progress.budgetSeconds - elapsed)} of the budget left)\n`,
  );
  const t0 = performance.now();
  const log = createWriteStream(logFile);
  log.write(`$ ncml ${step.args.join(' ')}\n`);
  const child = spawn(process.execPath, [CLI, ...step.args], { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  await new Promise<void>((resolve) => log.end(resolve));
  const seconds = (performance.now() - t0) / 1000;
  if (code !== 0) {
    const tail = readFileSync(logFile, 'utf8').trim().split('\n').slice(-6).join('\n  ');
    throw new StepFailedError(
      `step '${step.label}' failed (exit ${code}); its log is ${logFile}:\n  ${tail}\n` +
        'Finished steps are kept: run the same command again to continue.',
    );
  }
  return { id: step.id, status: 'done', seconds };
}
