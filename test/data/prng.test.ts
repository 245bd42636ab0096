import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Xoshiro128, randomPermutation } from '../../src/data/prng.js';

test('xoshiro128** matches the reference implementation from state (1, 2, 3, 4)', () => {
  // Values from the C reference algorithm, computed independently in Python.
  const rng = Xoshiro128.fromState([1, 2, 3, 4]);
  const got = Array.from({ length: 6 }, () => rng.nextUint32());
  assert.deepEqual(got, [11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
});

test('streams are a pure function of the key, and nearby keys differ', () => {
  const draw = (...key: number[]): number[] => {
    const r = Xoshiro128.fromKey(...key);
    return Array.from({ length: 8 }, () => r.nextUint32());
  };
  assert.deepEqual(draw(7, 3), draw(7, 3));
  assert.notDeepEqual(draw(7, 3), draw(7, 4));
  assert.notDeepEqual(draw(7, 3), draw(3, 7));
  assert.notDeepEqual(draw(0), draw(0, 0));
  assert.throws(() => Xoshiro128.fromKey(-1), RangeError);
  assert.throws(() => Xoshiro128.fromKey(2 ** 32), RangeError);
  assert.throws(() => Xoshiro128.fromState([0, 0, 0, 0]), RangeError);
});

test('below(n) stays in range and is close to uniform', () => {
  const rng = Xoshiro128.fromKey(42);
  const counts = new Array<number>(10).fill(0);
  for (let i = 0; i < 20000; i++) {
    const k = rng.below(10);
    assert.ok(Number.isInteger(k) && k >= 0 && k < 10);
    counts[k] = (counts[k] as number) + 1;
  }
  for (const c of counts) assert.ok(c > 1800 && c < 2200, `count ${c} far from 2000`);
  assert.equal(rng.below(1), 0);
  assert.throws(() => rng.below(0), RangeError);
});

test('randomPermutation is a permutation and depends on the generator', () => {
  const p = randomPermutation(1000, Xoshiro128.fromKey(1));
  assert.deepEqual(
    Array.from(p).sort((a, b) => a - b),
    Array.from({ length: 1000 }, (_, i) => i),
  );
  assert.notDeepEqual(
    Array.from(p),
    Array.from({ length: 1000 }, (_, i) => i),
  );
  assert.deepEqual(p, randomPermutation(1000, Xoshiro128.fromKey(1)));
  assert.notDeepEqual(p, randomPermutation(1000, Xoshiro128.fromKey(2)));
  assert.equal(randomPermutation(0, Xoshiro128.fromKey(1)).length, 0);
});
