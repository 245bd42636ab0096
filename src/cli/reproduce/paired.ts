// Differences between models scored on the same test images, taken image by
// image. Every LSB test of a reproduction scores the same first N test images
// in the same order, and an image that is hard for one model is hard for the
// others, so the per-image differences vary far less than either model's
// bits/dim: the paired interval is the honest one, and much narrower than
// one built from the two standard errors as if the samples were independent.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { csvName } from '../../eval/lsb-report.js';

/** The two-sided 95% normal quantile. */
export const Z = 1.959964;

export interface Difference {
  d: number;
  half: number;
  low: number;
  high: number;
}

/** Per-image bits/dim of one model of an LSB test, by flip rate pi. */
export interface PerExampleLsb {
  label: string;
  step: number;
  byPi: Map<number, Float64Array>;
}

/** The per-image values of an `ncml eval lsb` output directory, one entry per model in its order ([] if absent). */
export function readPerExampleLsb(dir: string): PerExampleLsb[] {
  const jsonFile = join(dir, 'result.json');
  const csvFile = join(dir, 'per-example.csv');
  if (!existsSync(jsonFile) || !existsSync(csvFile)) return [];
  try {
    const result = JSON.parse(readFileSync(jsonFile, 'utf8')) as {
      models: { label: string; step: number; rows: { pi: number }[] }[];
    };
    const [header = '', ...lines] = readFileSync(csvFile, 'utf8').trim().split('\n');
    const names = header.split(',');
    const column = (name: string): Float64Array | null => {
      const k = names.indexOf(name);
      return k < 0 ? null : Float64Array.from(lines, (line) => Number(line.split(',')[k]));
    };
    return result.models.map((m) => {
      const byPi = new Map<number, Float64Array>();
      for (const { pi } of m.rows) {
        const values = column(`${csvName(m.label)} pi=${pi}`);
        if (values !== null) byPi.set(pi, values);
      }
      return { label: m.label, step: m.step, byPi };
    });
  } catch {
    return [];
  }
}

/** Mean of a[i] - b[i] with its 95% half-width; null unless both have the same, nonzero length and finite values. */
export function pairedDifference(
  a: ArrayLike<number> | undefined,
  b: ArrayLike<number> | undefined,
): Difference | null {
  if (a === undefined || b === undefined || a.length !== b.length || a.length < 2) return null;
  const n = a.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += (a[i] as number) - (b[i] as number);
  const d = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += ((a[i] as number) - (b[i] as number) - d) ** 2;
  const half = Z * Math.sqrt(ss / (n - 1) / n);
  if (!Number.isFinite(d) || !Number.isFinite(half)) return null;
  return { d, half, low: d - half, high: d + half };
}

/** Per image, bits/dim at pi = 1 minus at pi = 0: the image's Delta log p. */
export function perImageGap(m: PerExampleLsb | undefined): Float64Array | undefined {
  const clean = m?.byPi.get(0);
  const flipped = m?.byPi.get(1);
  if (clean === undefined || flipped === undefined || clean.length !== flipped.length) return undefined;
  return flipped.map((v, i) => v - (clean[i] as number));
}
