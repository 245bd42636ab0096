// What the dashboard tests share: a tiny PNG dataset (8x8 gray, train/ and
// test/), runs trained on it by the real CLI, the dashboard as the user starts
// it (`ncml dashboard --port 0`), and headless Chromium.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import pngjs from 'pngjs';
import { type Browser, chromium } from 'playwright-core';

export const cli = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');

/** Writes <dir>/train (48 images) and <dir>/test (8 images): diagonal stripes with seeded noise. */
export function makeTinyDataset(dir: string): string {
  const { PNG } = pngjs;
  let s = 1;
  const rnd = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (const [split, n] of [
    ['train', 48],
    ['test', 8],
  ] as const) {
    mkdirSync(join(dir, split), { recursive: true });
    for (let i = 0; i < n; i++) {
      const png = new PNG({ width: 8, height: 8 });
      for (let y = 0; y < 8; y++)
        for (let x = 0; x < 8; x++) {
          const v = Math.max(0, Math.min(255, Math.round(((x + y + i) % 8) * 32 + rnd() * 30)));
          const k = (y * 8 + x) * 4;
          png.data[k] = png.data[k + 1] = png.data[k + 2] = v;
          png.data[k + 3] = 255;
        }
      writeFileSync(join(dir, split, `${String(i).padStart(3, '0')}.png`), PNG.sync.write(png));
    }
  }
  return `folder:${dir}`;
}

/** Flags for a model and data small enough for seconds per run. */
export function tinyTrainArgs(dataset: string, out: string, steps: number, extra: string[] = []): string[] {
  return [
    'train',
    '--dataset',
    dataset,
    '--filters',
    '8',
    '--resnets',
    '1',
    '--mixtures',
    '2',
    '--batch-size',
    '4',
    '--validation',
    '8',
    '--eval-examples',
    '8',
    '--eval-every',
    '2',
    '--log-every',
    '1',
    '--steps',
    String(steps),
    '--out',
    out,
    ...extra,
  ];
}

/** Trains a run to completion with the CLI. */
export function trainRun(dataset: string, out: string, steps: number, extra: string[] = []): void {
  const r = spawnSync(process.execPath, [cli, ...tinyTrainArgs(dataset, out, steps, extra)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`training ${out} failed: ${r.stderr}`);
}

/** Trains a run to completion with the CLI, without blocking (several can train at once). */
export function trainRunAsync(dataset: string, out: string, steps: number, extra: string[] = []): Promise<void> {
  const proc = spawn(process.execPath, [cli, ...tinyTrainArgs(dataset, out, steps, extra)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => (stderr += d));
  return new Promise((resolve, reject) =>
    proc.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`training ${out} failed: ${stderr}`)))),
  );
}

/** Runs `ncml eval lsb` on a run (its results go to <run>/eval/lsb/), without blocking. */
export function evalLsbAsync(run: string, examples = 4): Promise<void> {
  const proc = spawn(process.execPath, [cli, 'eval', 'lsb', '--checkpoint', run, '--examples', String(examples)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => (stderr += d));
  return new Promise((resolve, reject) =>
    proc.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ncml eval lsb ${run} failed: ${stderr}`)))),
  );
}

export interface DashboardProcess {
  proc: ChildProcess;
  /** The base URL, e.g. http://127.0.0.1:40123/ */
  url: string;
  token: string;
  urlWithToken: string;
  stderr: () => string;
  stop(): Promise<void>;
}

/** Starts `ncml dashboard --runs <dir> --port 0` and reads the URL it prints. */
export async function startDashboardProcess(runsDir: string, extra: string[] = []): Promise<DashboardProcess> {
  const proc = spawn(process.execPath, [cli, 'dashboard', '--runs', runsDir, '--port', '0', ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => (stderr += d));
  const exited = new Promise<void>((resolve) => proc.on('exit', () => resolve()));
  const urlWithToken = await new Promise<string>((resolve, reject) => {
    proc.stdout.on('data', (d: Buffer) => {
      stdout += d;
      const m = /(http:\/\/\S+\?token=\S+)/.exec(stdout);
      if (m) resolve(m[1] as string);
    });
    proc.on('exit', (code) => reject(new Error(`ncml dashboard exited (${code}) before printing its URL: ${stderr}`)));
  });
  const url = urlWithToken.slice(0, urlWithToken.indexOf('?'));
  return {
    proc,
    url,
    token: urlWithToken.slice(urlWithToken.indexOf('=') + 1),
    urlWithToken,
    stderr: () => stderr,
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  // Debian's chromium, never a download; playwright gives every launch a fresh profile.
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-background-networking'],
  });
}

/** Polls until check() returns a value other than undefined/false, or fails after timeoutMs. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  timeoutMs = 60_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v as T;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
