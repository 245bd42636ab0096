// Timing helpers for benchmarks: warm up, then take the median of several timed
// repeats. Benchmarks print ratios against a baseline measured in the same run.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Timing {
  /** Median seconds per call. */
  seconds: number;
  calls: number;
}

/** Times fn: after warmup calls, `repeats` rounds each long enough (>= minSeconds); returns the median. */
export function timeit(fn: () => void, opts: { warmup?: number; repeats?: number; minSeconds?: number } = {}): Timing {
  const warmup = opts.warmup ?? 3;
  const repeats = opts.repeats ?? 5;
  const minSeconds = opts.minSeconds ?? 0.2;
  for (let i = 0; i < warmup; i++) fn();
  let inner = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < inner; i++) fn();
    if ((performance.now() - t0) / 1000 >= minSeconds / 4 || inner >= 1 << 24) break;
    inner *= 2;
  }
  const samples: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    for (let i = 0; i < inner; i++) fn();
    samples.push((performance.now() - t0) / 1000 / inner);
  }
  samples.sort((a, b) => a - b);
  return { seconds: samples[Math.floor(samples.length / 2)] as number, calls: inner * repeats };
}

const PY = '/usr/bin/python3';
const here = dirname(fileURLToPath(import.meta.url));

/** Runs bench/python/<script> with args and parses its JSON output, or null when Python torch is absent. */
export function runPythonBench<T>(script: string, args: string[] = []): T | null {
  if (!existsSync(PY)) return null;
  try {
    execFileSync(PY, ['-c', 'import torch'], { stdio: 'ignore' });
  } catch {
    return null;
  }
  const path = join(here, '..', '..', 'bench', 'python', script);
  const out = execFileSync(PY, [path, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  return JSON.parse(out) as T;
}

export function fmt(x: number, digits = 2): string {
  return Number.isFinite(x) ? x.toFixed(digits) : 'n/a';
}

/** Prints a markdown table. */
export function table(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export interface StepTiming {
  min: number;
  median: number;
}

/** Times a long-running fn (a training step): warm-up calls, then `steps` timed calls; seconds. */
export function timeSteps(fn: () => void, warmup: number, steps: number): StepTiming {
  for (let i = 0; i < warmup; i++) fn();
  const s: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    fn();
    s.push((performance.now() - t0) / 1000);
  }
  s.sort((a, b) => a - b);
  return { min: s[0] as number, median: s[Math.floor(s.length / 2)] as number };
}

/** Keeps the best of repeated measurements (this machine's speed drifts between runs). */
export function best(a: StepTiming | undefined, b: StepTiming): StepTiming {
  return a === undefined ? b : { min: Math.min(a.min, b.min), median: Math.min(a.median, b.median) };
}
