// Shared assertions for tests.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Tensor } from '../src/tensor/index.js';

/** Asserts every element of actual is within atol + rtol*|expected| of expected. */
export function assertClose(
  actual: Tensor | number[] | number,
  expected: number[] | number,
  atol = 1e-6,
  rtol = 1e-5,
): void {
  const a =
    typeof actual === 'number'
      ? [actual]
      : Array.isArray(actual)
        ? actual
        : Array.from(actual.double().toArray() as Float64Array);
  const e = typeof expected === 'number' ? [expected] : expected;
  assert.equal(a.length, e.length, `length ${a.length} != expected ${e.length}`);
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = e[i] as number;
    if (!(Math.abs(x - y) <= atol + rtol * Math.abs(y))) {
      assert.fail(`element ${i}: ${x} is not close to ${y} (atol ${atol}, rtol ${rtol})`);
    }
  }
}

export function values(t: Tensor): number[] {
  return Array.from(t.double().toArray() as Float64Array);
}

const made: string[] = [];

/**
 * A fresh directory in the system temp folder, removed when the test process
 * exits (pass or fail), so a full test run leaves nothing behind.
 */
export function tempDir(prefix = 'ncml-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  if (made.length === 0) process.on('exit', () => made.forEach((d) => rmSync(d, { recursive: true, force: true })));
  made.push(dir);
  return dir;
}
