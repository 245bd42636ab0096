import assert from 'node:assert/strict';
import { test } from 'node:test';

import { makeDataset } from '../../src/data/dataset.js';
import {
  constantDataset,
  defaultOodSpecs,
  defaultPatchSize,
  invertDataset,
  loadOodSet,
  randomSubset,
  shuffledPatchesDataset,
  uniformNoiseDataset,
  verticalFlipDataset,
} from '../../src/eval/ood/index.js';

// Two 2-channel 4x4 images whose values are their own flat indices.
const base = makeDataset({
  images: Uint8Array.from({ length: 2 * 2 * 16 }, (_, i) => i),
  labels: new Uint8Array([0, 1]),
  channels: 2,
  height: 4,
  width: 4,
  source: 'ramp',
});
const at = (images: Uint8Array, n: number, c: number, i: number, j: number) => images[((n * 2 + c) * 4 + i) * 4 + j];

test('vertical flip reverses the rows of every channel, and twice is the identity', () => {
  const f = verticalFlipDataset(base);
  for (const [n, c, i, j] of [
    [0, 0, 0, 0],
    [1, 1, 2, 3],
    [0, 1, 3, 1],
  ] as const) {
    assert.equal(at(f.images, n, c, i, j), at(base.images, n, c, 3 - i, j));
  }
  assert.deepEqual(verticalFlipDataset(f).images, base.images);
  assert.deepEqual(Array.from(f.labels), [0, 1]);
});

test('inversion maps v to 255 - v', () => {
  const inv = invertDataset(base);
  assert.deepEqual(
    Array.from(inv.images),
    Array.from(base.images, (v) => 255 - v),
  );
});

test('uniform noise covers 0..255 evenly and is seeded; constant images are constant per channel', () => {
  const shape = { channels: 1, height: 16, width: 16 };
  const noise = uniformNoiseDataset(shape, 40, 1);
  assert.equal(noise.count, 40);
  const mean = noise.images.reduce((s, v) => s + v, 0) / noise.images.length;
  assert.ok(Math.abs(mean - 127.5) < 3, `mean ${mean}`);
  assert.ok(Math.min(...noise.images) <= 2 && Math.max(...noise.images) >= 253);
  assert.deepEqual(uniformNoiseDataset(shape, 40, 1).images, noise.images);
  assert.notDeepEqual(uniformNoiseDataset(shape, 40, 2).images, noise.images);
  const flat = constantDataset({ channels: 3, height: 4, width: 4 }, 5, 1);
  for (let p = 0; p < 15; p++) {
    const plane = flat.images.subarray(p * 16, (p + 1) * 16);
    assert.ok(plane.every((v) => v === plane[0]));
  }
  assert.ok(new Set(flat.images).size > 5, 'images and channels get different levels');
});

test('shuffled patches: the same patches in another order, one permutation per image', () => {
  assert.equal(defaultPatchSize(base), 1);
  assert.equal(defaultPatchSize({ channels: 1, height: 28, width: 28 }), 7);
  const s = shuffledPatchesDataset(base, 2, 3);
  const patches = (images: Uint8Array, n: number) => {
    const out: string[] = [];
    for (let pi = 0; pi < 2; pi++)
      for (let pj = 0; pj < 2; pj++) {
        const cells: number[] = [];
        for (let c = 0; c < 2; c++)
          for (let r = 0; r < 2; r++) for (let q = 0; q < 2; q++) cells.push(at(images, n, c, pi * 2 + r, pj * 2 + q)!);
        out.push(cells.join(','));
      }
    return out;
  };
  for (const n of [0, 1]) assert.deepEqual(patches(s.images, n).sort(), patches(base.images, n).sort());
  assert.notDeepEqual(s.images, base.images);
  assert.throws(() => shuffledPatchesDataset(base, 3), /patch size must divide the image size 4x4/);
});

test('OOD sets: synthetic names use the in-distribution images; shapes must match', () => {
  assert.equal(loadOodSet('vflip', base).data.count, 2);
  assert.equal(loadOodSet('uniform-noise', base).data.channels, 2);
  assert.throws(
    () => loadOodSet('mnist', base),
    /OOD set mnist .* has 1x28x28 images; the in-distribution images are 2x4x4/,
  );
  assert.deepEqual(defaultOodSpecs('fashion-mnist'), ['mnist', 'uniform-noise', 'constant', 'vflip', 'invert']);
  assert.deepEqual(defaultOodSpecs('mnist')[0], 'fashion-mnist');
});

test('random subsets are seeded, without repeats, in dataset order', () => {
  const big = makeDataset({
    images: Uint8Array.from({ length: 50 }, (_, i) => i),
    labels: new Uint8Array(50),
    channels: 1,
    height: 1,
    width: 1,
    source: 'ids',
  });
  const a = randomSubset(big, 10, 1);
  assert.equal(new Set(a.images).size, 10);
  assert.deepEqual(
    Array.from(a.images),
    [...a.images].sort((x, y) => x - y),
  );
  assert.deepEqual(randomSubset(big, 10, 1).images, a.images);
  assert.notDeepEqual(randomSubset(big, 10, 2).images, a.images);
  assert.equal(randomSubset(big, 60, 1), big);
});
