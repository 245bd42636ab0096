// `ncml eval quality` as a user runs it: a feature net trained on first use
// and cached, a samples file against the test set, the floor beside it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { loadDataset } from '../../src/data/registry.js';
import { saveFile } from '../../src/serialization/safetensors.js';
import { fromTypedArray, scope } from '../../src/tensor/index.js';
import { Trainer } from '../../src/train/index.js';
import { tinyConfig } from '../train/fixtures.js';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'ncml-eval-quality-'));
const run = join(dir, 'run');
const cache = join(dir, 'cache');
const samples = join(dir, 'flipped.safetensors');

const ncml = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });

before(async () => {
  // One step is enough: the files read the run's dataset, and --draw only needs a model to sample from.
  await new Trainer(tinyConfig({ dataset: 'mnist', validation: 50, steps: 1, batchSize: 2 }), run).run();
  // "Samples": 150 training digits with every least significant bit flipped.
  const train = loadDataset('mnist', 'train');
  const bytes = train.images.slice(0, 150 * 784).map((v) => v ^ 1);
  scope(() => saveFile(samples, { samples: fromTypedArray(bytes, [150, 1, 28, 28]) }));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const args = (out: string) => [
  'eval',
  'quality',
  '--checkpoint',
  run,
  '--samples',
  samples,
  '--examples',
  '200',
  '--kid-subsets',
  '5',
  '--kid-subset-size',
  '100',
  '--feature-steps',
  '4',
  '--feature-cache',
  cache,
  '--out',
  out,
];

test('ncml eval quality trains and caches the feature net, and reports samples beside the floor', () => {
  const out = join(dir, 'q1');
  const r = ncml(args(out));
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /training the mnist feature net \(4 steps\)/);
  assert.match(r.stderr, /test accuracy \d+\.\d+% on 1000 images/);
  assert.match(r.stdout, /\| flipped\.safetensors \| 150 \| 200 \|/);
  assert.match(r.stdout, /\| real: train vs test \(floor\) \| 150 \| 200 \|/);
  const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
  assert.equal(result.kind, 'quality');
  assert.equal(result.nTest, 200);
  assert.equal(result.featureNet.steps, 4);
  assert.ok(result.featureNet.testAccuracy > 0.1);
  assert.deepEqual(
    result.rows.map((x: { kind: string; n: number }) => [x.kind, x.n]),
    [
      ['images', 150],
      ['floor', 150],
    ],
  );
  for (const f of ['result.md', 'fid.png', 'fid.svg', 'samples-0.png']) assert.ok(existsSync(join(out, f)), f);
  assert.ok(existsSync(join(cache, 'mnist-seed0-steps4', 'feature-net.json')));

  const again = ncml(args(join(dir, 'q2')));
  assert.equal(again.status, 0, again.stderr);
  assert.doesNotMatch(again.stderr, /training the/);
  const second = JSON.parse(readFileSync(join(dir, 'q2', 'result.json'), 'utf8'));
  assert.deepEqual(second.rows, result.rows);
});

test('--draw samples the checkpoint on the fly, writes the samples beside the result and measures them', () => {
  const drawArgs = (out: string) => [
    ...args(out).filter((a, i, all) => a !== '--samples' && all[i - 1] !== '--samples'),
    '--draw',
    '6',
    '--method',
    'ar',
    '--n',
    '6',
  ];
  const out = join(dir, 'q4');
  const r = ncml(drawArgs(out));
  assert.equal(r.status, 0, r.stderr);
  for (const f of ['drawn-ar.png', 'drawn-ar.safetensors', 'drawn-ar.json']) assert.ok(existsSync(join(out, f)), f);
  const drawnJson = JSON.parse(readFileSync(join(out, 'drawn-ar.json'), 'utf8'));
  assert.equal(drawnJson.method, 'ar');
  const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
  const rows = result.rows as { kind: string; name?: string; n: number; fid: number }[];
  const drawn = rows.find((x) => x.kind === 'images');
  assert.ok(drawn !== undefined && drawn.n === 6 && Number.isFinite(drawn.fid), JSON.stringify(rows));
  // The same seed draws the same images, so the same numbers.
  const again = ncml(drawArgs(join(dir, 'q5')));
  assert.equal(again.status, 0, again.stderr);
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'q5', 'result.json'), 'utf8')).rows, rows);
  assert.deepEqual(
    readFileSync(join(dir, 'q5', 'drawn-ar.safetensors')),
    readFileSync(join(out, 'drawn-ar.safetensors')),
  );
});

test('sampling flags without --draw are refused before any work', () => {
  const r = ncml([...args(join(dir, 'q6')), '--method', 'ar']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /need --draw <n>/);
  assert.equal(existsSync(join(dir, 'q6')), false);
});

test('samples that do not fit the dataset are named', () => {
  const odd = join(dir, 'odd.safetensors');
  scope(() => saveFile(odd, { samples: fromTypedArray(new Uint8Array(4 * 3 * 8 * 8), [4, 3, 8, 8]) }));
  const r = ncml(args(join(dir, 'q3')).map((a) => (a === samples ? odd : a)));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /the feature net takes 1x28x28 images; got 3x8x8/);
});
