// `ncml complete --first <i>`: completes test images from index i on (the
// dashboard completes the one test image a user picks).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

import { loadDataset } from '../../src/data/registry.js';
import { loadFile } from '../../src/serialization/safetensors.js';
import { cli, makeTinyDataset, trainRun } from '../dashboard/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'ncml-complete-first-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('--first picks which test images are completed, and an index past the split is refused', () => {
  const dataset = makeTinyDataset(join(dir, 'data'));
  const run = join(dir, 'run');
  trainRun(dataset, run, 2);
  const out = join(dir, 'c.png');
  const args = ['complete', '--checkpoint', run, '--num', '1', '--keep-rows', '4', '--per-image', '2'];
  const r = spawnSync(process.execPath, [cli, ...args, '--first', '5', '--method', 'ar', '--out', out], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  const test5 = loadDataset(dataset, 'test').images.subarray(5 * 64, 6 * 64);
  const { tensors } = loadFile(join(dir, 'c.safetensors'));
  const inputs = tensors.get('inputs');
  assert.deepEqual(inputs?.shape, [1, 1, 8, 8]);
  assert.deepEqual(Array.from(inputs?.toArray() as Uint8Array), Array.from(test5));
  for (const t of tensors.values()) t.dispose();
  assert.equal(JSON.parse(readFileSync(join(dir, 'c.json'), 'utf8')).first, 5);
  const past = spawnSync(process.execPath, [cli, ...args, '--first', '8', '--out', join(dir, 'd.png')], {
    encoding: 'utf8',
  });
  assert.equal(past.status, 1);
  assert.match(past.stderr, /the test split has 8 images, asked for images 8\.\.8/);
});
