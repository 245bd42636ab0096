// `ncml train --nproc N`: N local worker processes of one data-parallel run
// (like torchrun --standalone): a free loopback port for the rendezvous, the
// machine's threads split among the workers, one shared fate. The workers
// run in their own process group, so a Ctrl-C reaches them once, through
// this launcher: they stop together after the current step with a
// checkpoint. When a worker dies the others notice through their process
// group (and exit naming it); a worker still alive after the timeout is
// terminated.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cliMain = join(dirname(fileURLToPath(import.meta.url)), 'main.js');

/** Set in each worker: the launcher's pid, so a worker whose launcher vanished stops on its own. */
export const LAUNCHER_PID_ENV = 'NCML_LAUNCHER_PID';

export interface LaunchOptions {
  nproc: number;
  /** The `ncml train` arguments for every worker (without --nproc). */
  args: readonly string[];
  /** Threads for all workers together. */
  threads: number;
  /** The workers' peer timeout in seconds; a worker outliving a failed peer by more is terminated. */
  timeoutSeconds: number;
  log?: (line: string) => void;
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject()));
    });
  });
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal !== null ? `was killed by ${signal}` : `exited with code ${code}`;
}

/** Runs the workers to the end; resolves to the launcher's exit code (0 when every worker succeeded). */
export async function launchLocalWorkers(opts: LaunchOptions): Promise<number> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const port = await freePort();
  const threadsEach = Math.max(1, Math.floor(opts.threads / opts.nproc));
  const rendezvous = `tcp://127.0.0.1:${port}`;
  log(`ncml: launching ${opts.nproc} workers (${rendezvous}, ${threadsEach} thread${threadsEach > 1 ? 's' : ''} each)`);
  const alive = new Set<ChildProcess>();
  let failed = false;
  let killTimer: NodeJS.Timeout | null = null;
  const done = new Promise<void>((resolve) => {
    for (let rank = 0; rank < opts.nproc; rank++) {
      const child = spawn(
        process.execPath,
        [
          ...process.execArgv,
          cliMain,
          'train',
          ...opts.args,
          '--rendezvous',
          rendezvous,
          '--rank',
          String(rank),
          '--world-size',
          String(opts.nproc),
        ],
        {
          stdio: 'inherit',
          detached: true,
          env: { ...process.env, NCML_NUM_THREADS: String(threadsEach), [LAUNCHER_PID_ENV]: String(process.pid) },
        },
      );
      alive.add(child);
      log(`ncml: worker rank ${rank}: pid ${child.pid}`);
      child.on('exit', (code, signal) => {
        alive.delete(child);
        if (code !== 0) {
          if (!failed) {
            const grace = opts.timeoutSeconds + 30;
            log(`ncml: worker rank ${rank} ${describeExit(code, signal)}; the others stop within ${grace} s`);
            killTimer = setTimeout(() => {
              for (const c of alive) c.kill('SIGTERM');
              setTimeout(() => alive.forEach((c) => c.kill('SIGKILL')), 5000).unref();
            }, grace * 1000);
            killTimer.unref();
          }
          failed = true;
        }
        if (alive.size === 0) resolve();
      });
    }
  });
  const forward = (signal: NodeJS.Signals) => {
    for (const c of alive) c.kill(signal);
  };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  try {
    await done;
  } finally {
    process.off('SIGINT', forward);
    process.off('SIGTERM', forward);
    if (killTimer !== null) clearTimeout(killTimer);
  }
  return failed ? 1 : 0;
}
