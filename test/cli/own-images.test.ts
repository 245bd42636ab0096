// Users' own images end to end: a folder of 36x36 RGB PNGs in two class
// subfolders trains with no flags beyond --dataset, --steps and --out; the
// model follows the dataset (3 channels) and a class-conditional run takes the
// folder's classes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import type { TrainConfig } from '../../src/runs/config.js';
import { pngjsBytes, readPng, writeFile } from '../data/fixtures.js';
import { tempDir } from '../helpers.js';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');
const SIZE = 36;

function ncml(args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
}

/** Two classes of 24 images each: reddish and bluish noise. */
function rgbFolder(): string {
  const root = tempDir('ncml-own-images-');
  for (const [k, cls] of ['red', 'blue'].entries()) {
    for (let i = 0; i < 24; i++) {
      const samples: number[] = [];
      for (let p = 0; p < SIZE * SIZE; p++) {
        const v = (p * 37 + i * 11) % 97;
        samples.push(k === 0 ? 150 + v : v, (v * 2) % 80, k === 0 ? v : 150 + v);
      }
      writeFile(join(root, cls, `${i}.png`), pngjsBytes(SIZE, SIZE, 2, samples));
    }
  }
  return root;
}

const savedConfig = (run: string) => JSON.parse(readFileSync(join(run, 'config.json'), 'utf8')) as TrainConfig;

test('an RGB folder trains with only --dataset, --steps and --out, evaluates on its held-out images and samples', () => {
  const data = rgbFolder();
  const root = tempDir('ncml-own-images-');
  const out = join(root, 'run');
  const r = ncml(['train', '--dataset', `folder:${data}`, '--steps', '2', '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /holding out 4 of the 48 images .* for validation/);
  const c = savedConfig(out);
  assert.equal(c.model.channels, 3, 'the model follows the dataset');
  assert.equal(c.validation, 4);
  assert.match(r.stdout, /done: 2 steps/);
  const evaluated = ncml(['eval', 'lsb', '--checkpoint', out, '--split', 'validation', '--out', join(root, 'lsb')]);
  assert.equal(evaluated.status, 0, evaluated.stderr);
  assert.equal(JSON.parse(readFileSync(join(root, 'lsb', 'result.json'), 'utf8')).models[0].rows[0].count, 4);
  const png = join(root, 'one.png');
  const sampled = ncml(['sample', '--checkpoint', out, '--num', '1', '--method', 'ar', '--out', png]);
  assert.equal(sampled.status, 0, sampled.stderr);
  assert.deepEqual(readPng(readFileSync(png)).width > 0, true);
});

test('a class-conditional run takes the folder classes and samples a class', () => {
  const data = rgbFolder();
  const root = tempDir('ncml-own-images-');
  const out = join(root, 'run');
  const r = ncml(['train', '--dataset', `folder:${data}`, '--classes', '--steps', '2', '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(savedConfig(out).model.numClasses, 2);
  const png = join(root, 'class1.png');
  const sampled = ncml(['sample', '--checkpoint', out, '--num', '1', '--class', '1', '--method', 'ar', '--out', png]);
  assert.equal(sampled.status, 0, sampled.stderr);
  const meta = JSON.parse(readFileSync(png.replace(/\.png$/, '.json'), 'utf8')) as Record<string, unknown>;
  assert.match(JSON.stringify(meta), /"class(Label)?":1/);
});

test('a model that does not take the dataset names both sides', () => {
  const data = rgbFolder();
  const r = ncml(['train', '--dataset', `folder:${data}`, '--channels', '1', '--steps', '1']);
  assert.equal(r.status, 1);
  assert.match(
    r.stderr,
    /the model takes 1-channel images .* has 3x36x36 images: set model\.channels \(--channels\) to 3/,
  );
});
