import assert from 'node:assert/strict';
import { test } from 'node:test';

import { type Batch, DataLoader, type LoaderPosition, makeDataset } from '../../src/data/index.js';
import { disposeAll, scope } from '../../src/tensor/index.js';

// Example i has pixels [i, 255 - i, 0, 255] and label i % 5.
const N = 23;
const ds = makeDataset({
  images: Uint8Array.from(
    { length: N * 4 },
    (_, k) => [Math.floor(k / 4), 255 - Math.floor(k / 4), 0, 255][k % 4] as number,
  ),
  labels: Uint8Array.from({ length: N }, (_, i) => i % 5),
  channels: 1,
  height: 2,
  width: 2,
  source: 'synthetic',
});

interface Seen {
  ids: number[];
  labels: number[];
}

/** The example ids (recovered from x's first pixel) and labels of a batch; disposes it. */
function read(b: Batch): Seen {
  const x = Array.from(b.x.toArray() as Float32Array);
  const labels = Array.from(b.y.toArray() as BigInt64Array, Number);
  disposeAll(b);
  const ids = Array.from({ length: labels.length }, (_, k) => Math.round((x[4 * k] as number) * 127.5 + 127.5));
  return { ids, labels };
}

function take(loader: DataLoader, batches: number): Seen[] {
  return Array.from({ length: batches }, () => read(loader.nextBatch()));
}

test('batches are float32 [B, C, H, W] in [-1, 1] with int64 labels matching the images', () => {
  const loader = new DataLoader(ds, { batchSize: 4, seed: 3, uint8: true });
  scope(() => {
    const b = loader.nextBatch();
    assert.deepEqual(b.x.shape, [4, 1, 2, 2]);
    assert.equal(b.x.dtype, 'float32');
    assert.equal(b.y.dtype, 'int64');
    assert.deepEqual(b.y.shape, [4]);
    assert.deepEqual(b.xUint8?.shape, [4, 1, 2, 2]);
    const x = Array.from(b.x.toArray() as Float32Array);
    const raw = Array.from(b.xUint8?.toArray() as Uint8Array);
    x.forEach((v, k) => assert.ok(Math.abs(v - ((raw[k] as number) - 127.5) / 127.5) < 1e-6));
    for (let k = 0; k < 4; k++) {
      assert.equal(x[4 * k + 2], -1);
      assert.equal(x[4 * k + 3], 1);
      const id = b.indices[k] as number;
      assert.equal(raw[4 * k], id);
      assert.equal(Number((b.y.toArray() as BigInt64Array)[k]), id % 5);
    }
  });
  for (const { ids, labels } of take(loader, 10))
    assert.deepEqual(
      labels,
      ids.map((i) => i % 5),
    );
});

test('one epoch yields every example once; the same seed gives the same order, another seed another', () => {
  const epoch = (seed: number): number[] => [...new DataLoader(ds, { batchSize: 5, seed })].flatMap((b) => read(b).ids);
  const a = epoch(1);
  assert.deepEqual(
    [...a].sort((x, y) => x - y),
    Array.from({ length: N }, (_, i) => i),
  );
  assert.deepEqual(epoch(1), a);
  assert.notDeepEqual(epoch(2), a);
  assert.notDeepEqual(
    a,
    Array.from({ length: N }, (_, i) => i),
  );
});

test('for..of runs to the end of the current epoch; epochs have different orders', () => {
  const loader = new DataLoader(ds, { batchSize: 5, seed: 9 });
  assert.equal(loader.batchesPerEpoch, 5);
  const sizes = [...loader].map((b) => read(b).ids.length);
  assert.deepEqual(sizes, [5, 5, 5, 5, 3]);
  assert.deepEqual(loader.position, { epoch: 1, index: 0 });
  assert.notDeepEqual(Array.from(loader.epochOrder(1)), Array.from(loader.epochOrder(0)));
  let n = 0;
  for (const b of loader) {
    read(b);
    if (++n === 2) break;
  }
  assert.deepEqual(loader.position, { epoch: 1, index: 10 });
  assert.equal([...loader].length, 3); // the rest of epoch 1
  assert.deepEqual(loader.position, { epoch: 2, index: 0 });
});

test('dropLast skips the short batch; shuffle: false keeps the dataset order', () => {
  const loader = new DataLoader(ds, { batchSize: 5, dropLast: true, shuffle: false });
  assert.equal(loader.batchesPerEpoch, 4);
  const seen = [...loader].map((b) => read(b).ids);
  assert.deepEqual(
    seen.flat(),
    Array.from({ length: 20 }, (_, i) => i),
  );
  assert.deepEqual(loader.position, { epoch: 1, index: 0 });
  assert.deepEqual(read(loader.nextBatch()).ids, [0, 1, 2, 3, 4]);
  assert.throws(() => new DataLoader(ds, { batchSize: 24, dropLast: true }), RangeError);
});

test('resuming from any position gives the batches an uninterrupted run gives', () => {
  for (const dropLast of [false, true]) {
    const reference = new DataLoader(ds, { batchSize: 5, seed: 11, dropLast });
    const positions: LoaderPosition[] = [];
    const batches: Seen[] = [];
    for (let k = 0; k < 13; k++) {
      positions.push(reference.position);
      batches.push(read(reference.nextBatch()));
    }
    // Mid-epoch (k = 2), at an epoch boundary (k = 5 or 4) and in a later epoch.
    for (const k of [2, dropLast ? 4 : 5, 7, 11]) {
      const pos = positions[k] as LoaderPosition;
      const resumed = new DataLoader(ds, { batchSize: 5, seed: 11, dropLast, position: pos });
      assert.deepEqual(take(resumed, 13 - k), batches.slice(k), `resume at ${JSON.stringify(pos)}`);
    }
  }
  assert.deepEqual(new DataLoader(ds, { batchSize: 5, position: { epoch: 3, index: 23 } }).position, {
    epoch: 4,
    index: 0,
  });
});

test('bad options and positions are rejected', () => {
  assert.throws(() => new DataLoader(ds, { batchSize: 0 }), RangeError);
  assert.throws(() => new DataLoader(ds, { batchSize: 2, seed: -1 }), RangeError);
  assert.throws(() => new DataLoader(ds, { batchSize: 2, position: { epoch: 0, index: 24 } }), RangeError);
  assert.throws(() => new DataLoader(ds, { batchSize: 2, position: { epoch: 0.5, index: 0 } }), RangeError);
});
