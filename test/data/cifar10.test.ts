import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { join } from 'node:path';

import { CIFAR10_CLASSES, loadCifar10, loadDataset } from '../../src/data/index.js';
import { assertDatasetError, cifarRecord, concat, tempDir, writeFile } from './fixtures.js';

const { dir, cleanup } = tempDir();
after(cleanup);

// Record r has pixel (c, y, x) = (r * 31 + c * 100 + y * 3 + x) mod 256.
const pixel = (r: number) => (c: number, y: number, x: number) => (r * 31 + c * 100 + y * 3 + x) % 256;
const records = (labels: number[], first: number): Uint8Array =>
  concat(labels.map((label, k) => cifarRecord(label, pixel(first + k))));

const set = join(dir, 'cifar');
writeFile(join(set, 'data_batch_1.bin'), records([3, 9, 0], 0));
writeFile(join(set, 'data_batch_2.bin'), records([1, 5], 3));
writeFile(join(set, 'test_batch.bin'), records([8, 2], 5));

test('train concatenates the data batches in order, with exact pixels and labels', () => {
  const ds = loadCifar10(set, 'train');
  assert.deepEqual([ds.count, ds.channels, ds.height, ds.width], [5, 3, 32, 32]);
  assert.deepEqual(Array.from(ds.labels), [3, 9, 0, 1, 5]);
  assert.deepEqual(ds.classNames, CIFAR10_CLASSES);
  for (const [r, c, y, x] of [
    [0, 0, 0, 0],
    [1, 2, 31, 31],
    [3, 1, 5, 7],
    [4, 2, 10, 0],
  ] as const) {
    assert.equal(ds.images[((r * 3 + c) * 32 + y) * 32 + x], pixel(r)(c, y, x), `record ${r} (${c}, ${y}, ${x})`);
  }
});

test('test is test_batch.bin; class names come from batches.meta.txt when present', () => {
  const d = join(dir, 'named');
  writeFile(join(d, 'test_batch.bin'), records([8, 2], 5));
  const names = ['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 'a8', 'a9'];
  writeFile(join(d, 'batches.meta.txt'), `${names.join('\n')}\n\n`);
  const ds = loadCifar10(d, 'test');
  assert.deepEqual(Array.from(ds.labels), [8, 2]);
  assert.deepEqual(ds.classNames, names);
  assert.equal(ds.images[3 * 1024 + 1], pixel(6)(0, 0, 1));
  writeFile(join(d, 'batches.meta.txt'), 'x\ny\n');
  assertDatasetError(
    () => loadCifar10(d, 'test'),
    join(d, 'batches.meta.txt'),
    'expected 10 non-empty lines',
    'found 2',
  );
});

test('the registry reads cifar10:<dir>, also from the tarball folder cifar-10-batches-bin', () => {
  assert.equal(loadDataset(`cifar10:${set}`, 'test').count, 2);
  const outer = join(dir, 'outer');
  writeFile(join(outer, 'cifar-10-batches-bin', 'test_batch.bin'), records([4], 0));
  assert.deepEqual(Array.from(loadDataset(`cifar10:${outer}`, 'test').labels), [4]);
  assert.equal(loadDataset(outer, 'test').count, 1); // a bare directory is detected as CIFAR-10
});

test('a file size that is not a multiple of 3073 is reported', () => {
  const d = join(dir, 'size');
  const f = writeFile(join(d, 'test_batch.bin'), concat([records([1, 2], 0), new Uint8Array(5)]));
  assertDatasetError(() => loadCifar10(d, 'test'), f, 'expected a positive multiple of 3073 bytes', 'found 6151 bytes');
});

test('a label byte outside 0..9 is reported with its record', () => {
  const d = join(dir, 'label');
  const f = writeFile(join(d, 'data_batch_1.bin'), records([1, 10], 0));
  assertDatasetError(
    () => loadCifar10(d, 'train'),
    f,
    'bad label in record 1 (byte offset 3073)',
    'expected 0..9',
    'found 10',
  );
});

test('a missing split is reported', () => {
  const d = join(dir, 'onlytest');
  writeFile(join(d, 'test_batch.bin'), records([1], 0));
  assertDatasetError(() => loadCifar10(d, 'train'), d, 'no CIFAR-10 train batch file', 'data_batch_1.bin');
});
