import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

import { type Dataset, classCounts } from '../../src/data/dataset.js';
import { FASHION_MNIST_CLASSES, FASHION_MNIST_DIR, loadFashionMnist } from '../../src/data/fashion-mnist.js';
import { loadIdxPair } from '../../src/data/idx.js';
import { assertDatasetError, tempDir, writeFile } from './fixtures.js';

const sum = (a: Uint8Array, from = 0, to = a.length): number => {
  let s = 0;
  for (let i = from; i < to; i++) s += a[i] as number;
  return s;
};

const train = loadFashionMnist('train');

test('the train split has 60000 28x28x1 images, 6000 per class', () => {
  assert.deepEqual([train.count, train.channels, train.height, train.width], [60000, 1, 28, 28]);
  assert.equal(train.images.length, 60000 * 784);
  assert.deepEqual(classCounts(train), new Array(10).fill(6000));
  assert.deepEqual(train.classNames, FASHION_MNIST_CLASSES);
  assert.equal(train.classNames?.[9], 'Ankle boot');
});

test('train pixels and labels match values computed with numpy', () => {
  // Reference values: numpy on the same gzipped IDX files.
  assert.deepEqual(Array.from(train.labels.subarray(0, 10)), [9, 0, 0, 3, 0, 2, 7, 2, 5, 5]);
  assert.equal(sum(train.images, 0, 784), 76247);
  assert.equal(sum(train.images, 59999 * 784), 16684);
  assert.deepEqual(
    Array.from(train.images.subarray(14 * 28, 15 * 28)),
    [0, 0, 1, 4, 6, 7, 2, 0, 0, 0, 0, 0, 237, 226, 217, 223, 222, 219, 222, 221, 216, 223, 229, 215, 218, 255, 77, 0],
  );
  assert.equal(sum(train.images), 3431114169);
});

function checkTest(t: Dataset): void {
  assert.deepEqual([t.count, t.channels, t.height, t.width], [10000, 1, 28, 28]);
  assert.deepEqual(classCounts(t), new Array(10).fill(1000));
  assert.deepEqual(Array.from(t.labels.subarray(0, 10)), [9, 2, 1, 1, 6, 1, 4, 6, 5, 7]);
  assert.equal(sum(t.images, 0, 784), 33456);
  assert.equal(sum(t.images), 573469082);
}

test('the test split has 10000 images with the numpy reference values', () => {
  checkTest(loadFashionMnist('test'));
});

test('the IDX parser reads the same test split from raw (non-gzip) files', () => {
  const { dir, cleanup } = tempDir();
  after(cleanup);
  for (const name of ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) {
    writeFile(join(dir, name), gunzipSync(readFileSync(join(FASHION_MNIST_DIR, `${name}.gz`))));
  }
  const t = loadIdxPair(join(dir, 't10k-images-idx3-ubyte'), join(dir, 't10k-labels-idx1-ubyte'));
  checkTest(t);
  checkTest(loadFashionMnist('test', dir));
});

test('a missing directory says how to install the package', () => {
  const missing = '/nonexistent/fashion-mnist';
  assertDatasetError(
    () => loadFashionMnist('train', missing),
    missing,
    'apt-get install dataset-fashion-mnist',
    'pass a directory',
  );
});
