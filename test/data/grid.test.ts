import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { imageGrid, writeImageGrid } from '../../src/data/index.js';
import { tensor } from '../../src/tensor/index.js';
import { readPng, tempDir } from './fixtures.js';

const { dir, cleanup } = tempDir();
after(cleanup);

test('a gray grid has padded tiles in rows of `columns`', () => {
  // 3 images of 2 x 3, pixel value 50 * image + 10 * row + column + 1.
  const data = Uint8Array.from(
    { length: 18 },
    (_, i) => 50 * Math.floor(i / 6) + 10 * Math.floor((i % 6) / 3) + (i % 3) + 1,
  );
  const path = writeImageGrid(
    join(dir, 'sub', 'gray.png'),
    { data, count: 3, channels: 1, height: 2, width: 3 },
    { columns: 2, padding: 1 },
  );
  const { width, height, rgba } = readPng(readFileSync(path));
  assert.deepEqual([width, height], [2 * 4 + 1, 2 * 3 + 1]);
  const at = (x: number, y: number): number[] =>
    Array.from(rgba.subarray(4 * (y * width + x), 4 * (y * width + x) + 4));
  assert.deepEqual(at(1, 1), [1, 1, 1, 255]); // image 0, (0, 0)
  assert.deepEqual(at(3, 2), [13, 13, 13, 255]); // image 0, (1, 2)
  assert.deepEqual(at(5, 1), [51, 51, 51, 255]); // image 1, (0, 0)
  assert.deepEqual(at(2, 5), [112, 112, 112, 255]); // image 2, (1, 1)
  assert.deepEqual(at(0, 0), [0, 0, 0, 255]); // padding
  assert.deepEqual(at(4, 1), [0, 0, 0, 255]); // padding between tiles
  assert.deepEqual(at(6, 5), [0, 0, 0, 255]); // the empty fourth slot
});

test('a float tensor in [-1, 1] becomes an RGB grid', () => {
  // One 1 x 2 RGB image: pixel 0 is (-1, 0, 1), pixel 1 is (1, -1, 0.5).
  const x = tensor([[[[-1, 1]], [[0, -1]], [[1, 0.5]]]]);
  const pic = imageGrid(x, { padding: 2, padValue: 255 });
  assert.deepEqual([pic.width, pic.height, pic.channels], [6, 5, 3]);
  const path = writeImageGrid(join(dir, 'rgb.png'), x, { padding: 2, padValue: 255 });
  const { width, rgba } = readPng(readFileSync(path));
  const at = (px: number, py: number): number[] =>
    Array.from(rgba.subarray(4 * (py * width + px), 4 * (py * width + px) + 3));
  assert.deepEqual(at(2, 2), [0, 128, 255]);
  assert.deepEqual(at(3, 2), [255, 0, 191]);
  assert.deepEqual(at(0, 0), [255, 255, 255]);
  x.dispose();
});

test('bad grid inputs are rejected', () => {
  const data = new Uint8Array(8);
  assert.throws(() => imageGrid({ data, count: 2, channels: 2, height: 1, width: 2 }), RangeError);
  assert.throws(() => imageGrid({ data, count: 3, channels: 1, height: 1, width: 2 }), RangeError);
  assert.throws(() => imageGrid({ data, count: 4, channels: 1, height: 1, width: 2 }, { columns: 0 }), RangeError);
  assert.throws(() => imageGrid({ data, count: 4, channels: 1, height: 1, width: 2 }, { padValue: 256 }), RangeError);
});
