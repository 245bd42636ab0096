// Files: saveFile writes atomically (via writeFileAtomic), loadFile and
// readHeader read them back.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';

import { safetensors } from '../../src/index.js';
import { tensor } from '../../src/tensor/index.js';
import { writeFileAtomic } from '../../src/util/atomic-write.js';
import { tempDir } from '../helpers.js';

const { loadFile, readHeader, readMetadata, saveFile, serialize } = safetensors;

const root = tempDir('ncml-safetensors-file-');
after(() => rmSync(root, { recursive: true, force: true }));

let dirs = 0;
/** A fresh empty directory per test, so leftover temporary files are visible. */
function freshDir(): string {
  const dir = join(root, `case-${dirs++}`);
  mkdirSync(dir);
  return dir;
}

test('saveFile writes what serialize returns, loadFile reads it back, and no temporary file remains', () => {
  const dir = freshDir();
  const path = join(dir, 'model.safetensors');
  const tensors = {
    w: tensor([
      [1, 2],
      [3, 4],
    ]),
    step: tensor([7], { dtype: 'int64' }),
  };
  saveFile(path, tensors, { epoch: '3' });

  assert.deepEqual(readdirSync(dir), ['model.safetensors']);
  assert.deepEqual(readFileSync(path), serialize(tensors, { epoch: '3' }));
  const back = loadFile(path);
  assert.deepEqual(back.tensors.get('w')?.tolist(), [
    [1, 2],
    [3, 4],
  ]);
  assert.deepEqual(back.tensors.get('step')?.tolist(), [7]);
  assert.deepEqual(back.metadata, { epoch: '3' });
});

test('readHeader and readMetadata report dtypes, shapes and metadata without the data', () => {
  const path = join(freshDir(), 'h.safetensors');
  saveFile(path, { a: tensor([true, false]), b: tensor([[1, 2, 3]], { dtype: 'bfloat16' }) }, { k: 'v' });
  const header = readHeader(path);
  assert.deepEqual(header.metadata, { k: 'v' });
  assert.deepEqual(
    header.tensors,
    new Map([
      ['b', { dtype: 'bfloat16', shape: [1, 3] }],
      ['a', { dtype: 'bool', shape: [2] }],
    ]),
  );
  assert.deepEqual(readMetadata(path), { k: 'v' });
});

test('saving over an existing file replaces it and keeps its permissions', () => {
  const dir = freshDir();
  const path = join(dir, 'ckpt.safetensors');
  saveFile(path, { x: tensor([1, 2, 3]) });
  chmodSync(path, 0o640);
  saveFile(path, { y: tensor([9]) }, { v: '2' });

  const back = loadFile(path);
  assert.deepEqual([...back.tensors.keys()], ['y']);
  assert.deepEqual(back.tensors.get('y')?.tolist(), [9]);
  assert.deepEqual(back.metadata, { v: '2' });
  assert.equal(statSync(path).mode & 0o777, 0o640);
  assert.deepEqual(readdirSync(dir), ['ckpt.safetensors']);
});

test('a write into a missing directory throws and creates nothing', () => {
  const dir = freshDir();
  const path = join(dir, 'missing', 'model.safetensors');
  assert.throws(() => saveFile(path, { x: tensor([1]) }), { code: 'ENOENT' });
  assert.equal(existsSync(join(dir, 'missing')), false);
  assert.deepEqual(readdirSync(dir), []);
});

test('a failed save leaves the existing file intact', () => {
  const dir = freshDir();
  const path = join(dir, 'model.safetensors');
  saveFile(path, { x: tensor([1, 2]) });
  const before = readFileSync(path);

  const gone = tensor([3]);
  gone.dispose();
  assert.throws(
    () => saveFile(path, { x: gone }),
    (e: unknown) => {
      assert.ok(e instanceof safetensors.SafetensorsError);
      assert.match(e.message, new RegExp(`^safetensors file '.*model.safetensors': tensor 'x' was disposed`));
      return true;
    },
  );
  assert.deepEqual(readFileSync(path), before);
  assert.deepEqual(readdirSync(dir), ['model.safetensors']);
});

test('writeFileAtomic removes its temporary file when the rename fails and leaves the target intact', () => {
  const dir = freshDir();
  // A non-empty directory cannot be replaced by a file, so the rename fails after the data was written.
  const target = join(dir, 'occupied');
  mkdirSync(target);
  writeFileSync(join(target, 'keep.txt'), 'kept');

  assert.throws(() => writeFileAtomic(target, 'new contents'), { code: /^(EISDIR|ENOTEMPTY|EEXIST|EPERM)$/ });
  assert.deepEqual(readdirSync(dir), ['occupied']);
  assert.equal(readFileSync(join(target, 'keep.txt'), 'utf8'), 'kept');
});

test('writeFileAtomic writes strings as UTF-8 and byte chunks in order', () => {
  const dir = freshDir();
  const text = join(dir, 'state.json');
  writeFileAtomic(text, '{"step":1,"name":"ünï"}');
  assert.equal(readFileSync(text, 'utf8'), '{"step":1,"name":"ünï"}');

  const chunks = join(dir, 'chunks.bin');
  writeFileAtomic(chunks, [new Uint8Array([1, 2]), new Uint8Array(0), Buffer.from([3]).subarray(0, 1)]);
  assert.deepEqual([...readFileSync(chunks)], [1, 2, 3]);
  assert.deepEqual(readdirSync(dir).sort(), ['chunks.bin', 'state.json']);
});
