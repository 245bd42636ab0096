import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { loadIdxDirectory, loadIdxPair, readIdxImages, readIdxLabels } from '../../src/data/idx.js';
import { assertDatasetError, idxBytes, tempDir, writeFile } from './fixtures.js';

const { dir, cleanup } = tempDir();
after(cleanup);

// 3 images of 2 x 3 pixels, pixel value 10 * image + position.
const pixels = Array.from({ length: 18 }, (_, i) => 10 * Math.floor(i / 6) + (i % 6));
const images = idxBytes(0x803, [3, 2, 3], pixels);
const labels = idxBytes(0x801, [3], [4, 0, 9]);

test('reads raw and gzipped IDX files to the same data', () => {
  const raw = writeFile(join(dir, 'raw', 'images'), images);
  const gz = writeFile(join(dir, 'gz', 'images.bin'), gzipSync(images)); // detected by magic bytes, not name
  for (const f of [raw, gz]) {
    const r = readIdxImages(f);
    assert.deepEqual([r.count, r.height, r.width], [3, 2, 3]);
    assert.deepEqual(Array.from(r.images), pixels);
  }
  const lf = writeFile(join(dir, 'gz', 'labels'), gzipSync(labels));
  assert.deepEqual(Array.from(readIdxLabels(lf)), [4, 0, 9]);
});

test('loadIdxPair builds a 1-channel dataset', () => {
  const ds = loadIdxPair(writeFile(join(dir, 'p', 'i'), images), writeFile(join(dir, 'p', 'l'), labels));
  assert.deepEqual([ds.count, ds.channels, ds.height, ds.width, ds.numClasses], [3, 1, 2, 3, 10]);
  assert.deepEqual(Array.from(ds.labels), [4, 0, 9]);
  assert.equal(ds.images[6], 10);
  assert.equal(ds.classNames, undefined);
});

test('loadIdxDirectory finds train-* and t10k-* files, raw or gzipped', () => {
  const d = join(dir, 'mnistlike');
  writeFile(join(d, 'train-images-idx3-ubyte'), images);
  writeFile(join(d, 'train-labels-idx1-ubyte'), labels);
  writeFile(join(d, 't10k-images-idx3-ubyte.gz'), gzipSync(idxBytes(0x803, [1, 2, 3], [1, 2, 3, 4, 5, 6])));
  writeFile(join(d, 't10k-labels.idx1-ubyte'), idxBytes(0x801, [1], [7]));
  assert.equal(loadIdxDirectory(d, 'train').count, 3);
  const t = loadIdxDirectory(d, 'test');
  assert.deepEqual(Array.from(t.images), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(Array.from(t.labels), [7]);
  assertDatasetError(
    () => loadIdxDirectory(join(dir, 'nothing-here'), 'train'),
    join(dir, 'nothing-here'),
    'train-images-idx3-ubyte.gz',
    'found none',
  );
});

test('wrong magic numbers are reported with expected and found values', () => {
  const f = writeFile(join(dir, 'bad', 'labels-as-images'), labels);
  assertDatasetError(() => readIdxImages(f), f, 'wrong magic number', 'expected 0x00000803', 'found 0x00000801');
  const g = writeFile(join(dir, 'bad', 'images-as-labels.gz'), gzipSync(images));
  assertDatasetError(() => readIdxLabels(g), g, 'expected 0x00000801', 'found 0x00000803');
});

test('truncated raw files are reported', () => {
  const f = writeFile(join(dir, 'bad', 'short'), images.subarray(0, images.length - 1));
  assertDatasetError(() => readIdxImages(f), f, 'truncated IDX data', 'expected 3 x 2 x 3 = 18 data bytes', 'found 17');
  const h = writeFile(join(dir, 'bad', 'header'), images.subarray(0, 10));
  assertDatasetError(() => readIdxImages(h), h, 'truncated IDX header', 'expected 16 bytes', 'found 10 bytes');
  const long = writeFile(join(dir, 'bad', 'long'), new Uint8Array([...labels, 1]));
  assertDatasetError(() => readIdxLabels(long), long, 'longer than its header says', 'found 4 data bytes');
});

test('truncated gzip files are reported', () => {
  const z = gzipSync(images);
  const f = writeFile(join(dir, 'bad', 'cut.gz'), z.subarray(0, z.length - 6));
  assertDatasetError(() => readIdxImages(f), f, 'corrupt or truncated gzip', 'expected a complete gzip stream');
  // A complete gzip stream of a truncated IDX file is caught by the size check instead.
  const g = writeFile(join(dir, 'bad', 'short.gz'), gzipSync(images.subarray(0, 20)));
  assertDatasetError(() => readIdxImages(g), g, 'truncated IDX data', 'found 4 data bytes');
});

test('an image/label count mismatch names the label file and both counts', () => {
  const i = writeFile(join(dir, 'mm', 'i'), images);
  const l = writeFile(join(dir, 'mm', 'l'), idxBytes(0x801, [2], [1, 2]));
  assertDatasetError(() => loadIdxPair(i, l), l, 'label count does not match', 'expected 3 labels', 'found 2');
});

test('a missing file is a DatasetError naming it', () => {
  const f = join(dir, 'missing');
  assertDatasetError(() => readIdxImages(f), f, 'cannot read file', 'ENOENT');
});
