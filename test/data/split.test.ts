import assert from 'node:assert/strict';
import { test } from 'node:test';

import { makeDataset } from '../../src/data/dataset.js';
import { splitIndices, splitTrainValidation } from '../../src/data/split.js';

test('splitIndices is disjoint, covers everything, sorted and deterministic', () => {
  const { train, validation } = splitIndices(100, { validation: 20, seed: 5 });
  assert.equal(train.length, 80);
  assert.equal(validation.length, 20);
  const all = [...train, ...validation].sort((a, b) => a - b);
  assert.deepEqual(
    all,
    Array.from({ length: 100 }, (_, i) => i),
  );
  assert.deepEqual(
    Array.from(train),
    [...train].sort((a, b) => a - b),
  );
  assert.deepEqual(splitIndices(100, { validation: 20, seed: 5 }).validation, validation);
  assert.notDeepEqual(splitIndices(100, { validation: 20, seed: 6 }).validation, validation);
  assert.equal(splitIndices(100, { validation: 0.25, seed: 5 }).validation.length, 25);
  assert.throws(() => splitIndices(10, { validation: 11, seed: 0 }), RangeError);
  assert.throws(() => splitIndices(10, { validation: 2.5, seed: 0 }), RangeError);
});

test('splitTrainValidation copies the right images and labels', () => {
  const n = 30;
  const ds = makeDataset({
    images: Uint8Array.from({ length: n * 2 }, (_, i) => Math.floor(i / 2)),
    labels: Uint8Array.from({ length: n }, (_, i) => i % 3),
    channels: 1,
    height: 1,
    width: 2,
    classNames: ['a', 'b', 'c'],
    source: 'synthetic',
  });
  const { train, validation } = splitTrainValidation(ds, { validation: 10, seed: 1 });
  assert.deepEqual([train.count, validation.count], [20, 10]);
  const ids = (d: typeof ds): number[] => Array.from({ length: d.count }, (_, k) => d.images[2 * k] as number);
  const ti = ids(train);
  const vi = ids(validation);
  assert.deepEqual(
    Array.from(validation.labels),
    vi.map((i) => i % 3),
  );
  assert.deepEqual(
    [...ti, ...vi].sort((a, b) => a - b),
    Array.from({ length: n }, (_, i) => i),
  );
  assert.deepEqual(validation.classNames, ['a', 'b', 'c']);
  assert.deepEqual(vi, Array.from(splitIndices(n, { validation: 10, seed: 1 }).validation));
});
