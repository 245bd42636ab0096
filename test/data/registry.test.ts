import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { join } from 'node:path';

import { DatasetError, datasetSplits, loadDataset, parseDatasetSpec } from '../../src/data/index.js';
import { idxBytes, pngjsBytes, tempDir, writeFile } from './fixtures.js';

const { dir, cleanup } = tempDir();
after(cleanup);

test('parses names and format:directory specs', () => {
  assert.deepEqual(parseDatasetSpec('fashion-mnist'), { kind: 'fashion-mnist' });
  assert.deepEqual(parseDatasetSpec('mnist'), { kind: 'mnist' });
  assert.deepEqual(parseDatasetSpec('cifar10:/data/c'), { kind: 'cifar10', dir: '/data/c' });
  assert.deepEqual(parseDatasetSpec('idx:rel/dir'), { kind: 'idx', dir: 'rel/dir' });
  assert.deepEqual(parseDatasetSpec('folder:/a:b'), { kind: 'folder', dir: '/a:b' });
  assert.deepEqual(parseDatasetSpec('fashion-mnist:/x'), { kind: 'fashion-mnist', dir: '/x' });
});

test('an unknown spec lists the accepted forms', () => {
  for (const spec of ['cifar100', 'imagenet:/x', '/no/such/dir', 'cifar10:']) {
    assert.throws(
      () => loadDataset(spec),
      (e: unknown) =>
        e instanceof DatasetError &&
        e.message.includes(JSON.stringify(spec)) &&
        ['fashion-mnist', 'mnist', 'cifar10:<dir>', 'idx:<dir>', 'folder:<dir>'].every((f) => e.message.includes(f)),
    );
  }
});

test('idx:<dir> and a bare IDX directory load the IDX files', () => {
  const d = join(dir, 'idx');
  writeFile(join(d, 'train-images-idx3-ubyte'), idxBytes(0x803, [2, 1, 2], [1, 2, 3, 4]));
  writeFile(join(d, 'train-labels-idx1-ubyte'), idxBytes(0x801, [2], [0, 1]));
  assert.deepEqual(Array.from(loadDataset(`idx:${d}`, 'train').images), [1, 2, 3, 4]);
  assert.deepEqual(parseDatasetSpec(d), { kind: 'idx', dir: d });
  assert.deepEqual(datasetSplits(`idx:${d}`), ['train', 'test']);
});

test('folder:<dir> loads PNGs, with folder options, and reports its splits', () => {
  const d = join(dir, 'pngs');
  writeFile(join(d, 'x', 'a.png'), pngjsBytes(2, 2, 0, [1, 2, 3, 4]));
  writeFile(join(d, 'y', 'a.png'), pngjsBytes(2, 2, 0, [5, 6, 7, 8]));
  const ds = loadDataset(`folder:${d}`, 'train', { folder: { channels: 3 } });
  assert.deepEqual([ds.count, ds.channels, ds.numClasses], [2, 3, 2]);
  assert.deepEqual(datasetSplits(`folder:${d}`), ['train']);
  assert.deepEqual(parseDatasetSpec(d), { kind: 'folder', dir: d });
});

test('mnist and fashion-mnist load by name, fashion-mnist by default', () => {
  assert.equal(loadDataset('mnist', 'test').count, 1000);
  const fm = loadDataset(undefined, 'test');
  assert.equal(fm.count, 10000);
  assert.equal(fm.classNames?.[0], 'T-shirt/top');
  assert.throws(() => loadDataset('mnist', 'validation' as 'test'), RangeError);
});
