import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { datasetInfo } from '../../src/data/index.js';
import { pngjsBytes, readPng, tempDir, writeFile } from './fixtures.js';

const { dir, cleanup } = tempDir();
after(cleanup);

test('datasetInfo of Fashion-MNIST: counts, shape, classes and a 10 x 10 sample grid', () => {
  const info = datasetInfo('fashion-mnist', { pngPath: join(dir, 'fm.png') });
  assert.deepEqual([info.channels, info.height, info.width, info.numClasses], [1, 28, 28, 10]);
  assert.equal(info.classNames?.[3], 'Dress');
  assert.deepEqual(
    info.splits.map((s) => [s.split, s.count, s.classCounts]),
    [
      ['train', 60000, new Array(10).fill(6000)],
      ['test', 10000, new Array(10).fill(1000)],
    ],
  );
  assert.equal(info.samplePng, join(dir, 'fm.png'));
  const { width, height } = readPng(readFileSync(info.samplePng));
  assert.deepEqual([width, height], [10 * 30 + 2, 10 * 30 + 2]);
});

test('datasetInfo of a PNG folder: per-split class counts and one row per class', () => {
  const root = join(dir, 'folder');
  const img = (v: number): Buffer => pngjsBytes(4, 4, 0, new Array(16).fill(v));
  writeFile(join(root, 'train', 'a', '1.png'), img(10));
  writeFile(join(root, 'train', 'a', '2.png'), img(20));
  writeFile(join(root, 'train', 'b', '1.png'), img(30));
  writeFile(join(root, 'test', 'b', '1.png'), img(40));
  const info = datasetInfo(`folder:${root}`, { pngPath: join(dir, 'f.png'), perClass: 3 });
  assert.deepEqual(info.classNames, ['a', 'b']);
  assert.deepEqual(
    info.splits.map((s) => [s.split, s.count, s.classCounts]),
    [
      ['train', 3, [2, 1]],
      ['test', 1, [0, 1]],
    ],
  );
  const { width, height, rgba } = readPng(readFileSync(info.samplePng));
  assert.deepEqual([width, height], [3 * 6 + 2, 2 * 6 + 2]);
  const at = (x: number, y: number): number => rgba[4 * (y * width + x)] as number;
  assert.deepEqual([at(2, 2), at(8, 2), at(14, 2), at(2, 8), at(8, 8)], [10, 20, 0, 30, 0]);
});
