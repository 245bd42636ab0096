// Shared assertions for tests.
import assert from 'node:assert/strict';

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
