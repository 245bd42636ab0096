// Long work (sampling, completion) runs in a child process running the ncml
// CLI, never on the server's thread, so the page stays responsive and a job
// can be cancelled by killing its process. At most one job runs per
// checkpoint, and at most `maxJobs` at once. Progress is read from the
// child's log lines ("row 5/28", "40%"), its errors from its last lines.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

import { HttpError } from './http.js';

export type JobState = 'running' | 'done' | 'failed' | 'cancelled';

export interface JobSpec {
  /** What the job does ('sample', 'complete', ...), shown on the page. */
  kind: string;
  /** The run the job belongs to (its id on the page). */
  runId: string;
  /** The checkpoint directory; one job at a time per checkpoint. */
  checkpoint: string;
  /** Arguments of the ncml CLI. */
  args: string[];
  /** The file the job must write; the job failed if it is missing at exit. */
  output: string;
  /** The settings as the page sent them, echoed back with the job. */
  settings: Record<string, unknown>;
  /**
   * Phases the command reports one after the other ("phase 1: ... 7/28",
   * "phase 2: ... 3/10"), each counted as an equal share of the progress (default 1).
   */
  phases?: number;
}

export interface JobView {
  id: string;
  kind: string;
  runId: string;
  checkpoint: string;
  state: JobState;
  /** The child process's id. */
  pid: number | undefined;
  /** 0..1 when the child's log shows progress, else null. */
  progress: number | null;
  /** The child's latest log line. */
  message: string;
  startedAt: number;
  endedAt: number | null;
  /** The written file (absolute path), once the job is done. */
  output: string | null;
  error: string | null;
  settings: Record<string, unknown>;
}

interface Job extends JobView {
  phases: number;
  child: ChildProcess;
  stderrTail: string[];
  cancelRequested: boolean;
  exited: Promise<void>;
}

export interface JobRunnerOptions {
  /** The CLI entry point (dist/src/cli/main.js). */
  cliPath: string;
  /** Jobs running at once over all checkpoints (default 2: this is a small machine's tool). */
  maxJobs?: number;
  /** Jobs remembered after they end (default 50). */
  history?: number;
  /** Seconds between SIGTERM and SIGKILL when cancelling (default 3). */
  killGraceSeconds?: number;
  env?: NodeJS.ProcessEnv;
}

const TAIL_LINES = 40;

/** The CLI's error message ("ncml: ..." and what follows it), else the last lines of its log. */
function errorLines(tail: string[]): string[] {
  const start = tail.findLastIndex((l) => l.startsWith('ncml:') || l.startsWith('error:'));
  return start === -1 ? tail.slice(-4) : tail.slice(start, start + 12);
}

/**
 * The overall fraction a log line reports: a percentage, else the last "k/n"
 * in it; with several phases, the line's "phase i" places it in its share.
 */
export function progressOf(line: string, phases = 1): number | null {
  const f = fractionOf(line);
  if (f === null || phases <= 1) return f;
  const phase = Number(/\bphase (\d+)\b/i.exec(line)?.[1] ?? 1);
  return (Math.min(phases, Math.max(1, phase)) - 1 + f) / phases;
}

function fractionOf(line: string): number | null {
  const pct = /(\d+(?:\.\d+)?)\s*%/.exec(line);
  if (pct) return Math.min(1, Number(pct[1]) / 100);
  const fractions = [...line.matchAll(/(\d+)\s*\/\s*(\d+)/g)];
  const last = fractions.at(-1);
  if (last) {
    const n = Number(last[2]);
    if (n > 0) return Math.min(1, Number(last[1]) / n);
  }
  return null;
}

export class JobRunner {
  readonly #opts: Required<Omit<JobRunnerOptions, 'env'>> & { env: NodeJS.ProcessEnv };
  readonly #jobs = new Map<string, Job>();
  #next = 1;
  #closed = false;

  constructor(opts: JobRunnerOptions) {
    this.#opts = {
      maxJobs: 2,
      history: 50,
      killGraceSeconds: 3,
      env: process.env,
      ...opts,
    };
  }

  get running(): JobView[] {
    return [...this.#jobs.values()].filter((j) => j.state === 'running').map(view);
  }

  /** Starts a job; 409 when one already runs on that checkpoint, 503 when too many run. */
  start(spec: JobSpec): JobView {
    if (this.#closed) throw new HttpError(503, 'the dashboard is shutting down');
    const busy = [...this.#jobs.values()].find((j) => j.state === 'running' && j.checkpoint === spec.checkpoint);
    if (busy !== undefined) {
      throw new HttpError(409, `job ${busy.id} (${busy.kind}) is still running on this checkpoint: wait or cancel it`);
    }
    if (this.running.length >= this.#opts.maxJobs) {
      throw new HttpError(503, `${this.#opts.maxJobs} jobs are running already; wait for one to finish`);
    }
    const id = String(this.#next++);
    const child = spawn(process.execPath, [this.#opts.cliPath, ...spec.args], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: this.#opts.env,
    });
    const job: Job = {
      id,
      kind: spec.kind,
      runId: spec.runId,
      checkpoint: spec.checkpoint,
      state: 'running',
      pid: child.pid,
      progress: null,
      message: 'starting',
      startedAt: Date.now(),
      endedAt: null,
      output: null,
      error: null,
      settings: spec.settings,
      phases: spec.phases ?? 1,
      child,
      stderrTail: [],
      cancelRequested: false,
      exited: Promise.resolve(),
    };
    let partial = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      // Progress bars redraw with \r; log lines end with \n.
      const parts = (partial + chunk).split(/\r\n|\r|\n/);
      partial = parts.pop() ?? '';
      for (const raw of parts) this.#line(job, raw);
    });
    job.exited = new Promise((resolve) => {
      const finish = (code: number | null, signal: NodeJS.Signals | null, spawnError?: Error) => {
        if (job.state !== 'running') return resolve();
        if (partial.trim() !== '') this.#line(job, partial);
        job.endedAt = Date.now();
        if (job.cancelRequested) {
          job.state = 'cancelled';
          job.message = 'cancelled';
        } else if (spawnError !== undefined) {
          job.state = 'failed';
          job.error = `could not start the ncml CLI: ${spawnError.message}`;
        } else if (code === 0 && existsSync(spec.output)) {
          job.state = 'done';
          job.progress = 1;
          job.output = spec.output;
        } else {
          job.state = 'failed';
          job.error =
            code === 0
              ? `the command finished but wrote no ${spec.output}`
              : `${errorLines(job.stderrTail).join('\n') || 'no error message'} (exit ${code ?? signal})`;
        }
        this.#prune();
        resolve();
      };
      child.on('error', (e) => finish(null, null, e));
      // 'close' comes after the exit and the last stderr data.
      child.on('close', (code, signal) => finish(code, signal));
    });
    this.#jobs.set(id, job);
    return view(job);
  }

  #line(job: Job, raw: string): void {
    const line = raw.trim();
    if (line === '') return;
    job.stderrTail.push(line);
    if (job.stderrTail.length > TAIL_LINES) job.stderrTail.shift();
    job.message = line.length > 200 ? `${line.slice(0, 200)}...` : line;
    const p = progressOf(line, job.phases);
    if (p !== null) job.progress = p;
  }

  #prune(): void {
    const ended = [...this.#jobs.values()].filter((j) => j.state !== 'running');
    for (const j of ended.slice(0, Math.max(0, ended.length - this.#opts.history))) this.#jobs.delete(j.id);
  }

  get(id: string): JobView | undefined {
    const j = this.#jobs.get(id);
    return j === undefined ? undefined : view(j);
  }

  /** Jobs (of one run, or all), newest first. */
  list(runId?: string): JobView[] {
    return [...this.#jobs.values()]
      .filter((j) => runId === undefined || j.runId === runId)
      .reverse()
      .map(view);
  }

  /** Asks a running job to stop (SIGTERM, then SIGKILL after the grace period). */
  cancel(id: string): JobView {
    const job = this.#jobs.get(id);
    if (job === undefined) throw new HttpError(404, `no job ${id}`);
    if (job.state === 'running' && !job.cancelRequested) {
      job.cancelRequested = true;
      job.message = 'cancelling';
      job.child.kill('SIGTERM');
      const timer = setTimeout(() => {
        if (job.state === 'running') job.child.kill('SIGKILL');
      }, this.#opts.killGraceSeconds * 1000);
      timer.unref();
    }
    return view(job);
  }

  /** Waits until a job has ended. */
  async wait(id: string): Promise<JobView | undefined> {
    await this.#jobs.get(id)?.exited;
    return this.get(id);
  }

  /** Cancels every running job and waits for their processes to exit. */
  async close(): Promise<void> {
    this.#closed = true;
    const running = [...this.#jobs.values()].filter((j) => j.state === 'running');
    for (const j of running) this.cancel(j.id);
    await Promise.all(running.map((j) => j.exited));
  }
}

function view(j: Job): JobView {
  return {
    id: j.id,
    kind: j.kind,
    runId: j.runId,
    checkpoint: j.checkpoint,
    state: j.state,
    pid: j.pid,
    progress: j.progress,
    message: j.message,
    startedAt: j.startedAt,
    endedAt: j.endedAt,
    output: j.output,
    error: j.error,
    settings: j.settings,
  };
}
