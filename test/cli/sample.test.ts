// `ncml sample` and `ncml complete` as a user runs them: real processes, a
// real (tiny, 8x8, two-class) PNG-folder dataset, real 2-step models. The
// files exist with the documented shapes, the same seed gives the same bytes,
// and every bad request is a clear error before any sampling.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { decodePng, encodePng } from '../../src/data/index.js';
import { loadFile } from '../../src/serialization/safetensors.js';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');
const root = mkdtempSync(join(tmpdir(), 'ncml-sample-'));
after(() => rmSync(root, { recursive: true, force: true }));

function ncml(args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
}

/** 8x8 gray PNGs: class a brighter at the top, class b at the bottom. */
function writeDataset(dir: string): void {
  let seed = 1;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (const [split, count] of [
    ['train', 12],
    ['test', 4],
  ] as const) {
    for (const cls of ['a', 'b']) {
      mkdirSync(join(dir, split, cls), { recursive: true });
      for (let i = 0; i < count; i++) {
        const data = new Uint8Array(64).map((_, p) => {
          const top = p < 32;
          return Math.floor((top === (cls === 'a') ? 160 : 40) + 60 * random());
        });
        writeFileSync(join(dir, split, cls, `${i}.png`), encodePng({ width: 8, height: 8, channels: 1, data }));
      }
    }
  }
}

const data = join(root, 'data');
const ncmlRun = join(root, 'ncml');
const mleRun = join(root, 'mle');
const SMALL = [
  '--dataset',
  `folder:${data}`,
  '--filters',
  '8',
  '--mixtures',
  '2',
  '--steps',
  '2',
  '--batch-size',
  '4',
  '--validation',
  '4',
  '--eval-examples',
  '4',
];

before(() => {
  writeDataset(data);
  for (const [out, extra] of [
    [ncmlRun, ['--classes']],
    [mleRun, ['--objective', 'mle']],
  ] as const) {
    const r = ncml(['train', ...SMALL, ...extra, '--out', out]);
    assert.equal(r.status, 0, r.stderr);
  }
});

const pngSize = (path: string) => {
  const img = decodePng(readFileSync(path), path);
  return [img.height, img.width];
};

test('sample --class-grid: PNG, safetensors and JSON with the documented shapes; same seed, same bytes', () => {
  const run = (name: string, seed: string) => {
    const out = join(root, `${name}.png`);
    const r = ncml([
      'sample',
      '--checkpoint',
      ncmlRun,
      '--num',
      '2',
      '--class-grid',
      '--steps',
      '3',
      '--seed',
      seed,
      '--out',
      out,
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /phase 1: autoregressive at t0 = 0\.05: 8\/8 rows/);
    assert.match(r.stderr, /phase 2: refinement: 3\/3 steps/);
    return { png: out, st: join(root, `${name}.safetensors`), json: join(root, `${name}.json`) };
  };
  const a = run('a', '4');
  for (const f of Object.values(a)) assert.ok(existsSync(f), f);
  // Two classes, two per class: a 2 x 2 grid of 8x8 tiles with 2-pixel padding.
  assert.deepEqual(pngSize(a.png), [22, 22]);
  const { tensors, metadata } = loadFile(a.st);
  const samples = tensors.get('samples')!;
  assert.equal(samples.dtype, 'uint8');
  assert.deepEqual(samples.shape, [4, 1, 8, 8]);
  assert.deepEqual(tensors.get('noisy')!.shape, [4, 1, 8, 8]);
  assert.equal(tensors.get('noisy')!.dtype, 'float32');
  assert.deepEqual(Array.from(tensors.get('labels')!.toArray() as BigInt64Array, Number), [0, 0, 1, 1]);
  const json = JSON.parse(readFileSync(a.json, 'utf8')) as Record<string, unknown>;
  assert.equal(json.method, 'two-phase');
  assert.equal(json.seed, 4);
  assert.equal(json.t0, 0.05);
  assert.equal(json.steps, 3);
  assert.equal(json.classGrid, true);
  assert.match(String(json.checkpoint), /checkpoints\/step-00000002$/);
  assert.ok((json.timings as { totalSeconds: number }).totalSeconds > 0);
  assert.deepEqual(JSON.parse(metadata.settings!).seed, 4);

  const b = run('b', '4');
  assert.ok(readFileSync(a.png).equals(readFileSync(b.png)), 'same seed, same PNG');
  assert.ok(readFileSync(a.st).equals(readFileSync(b.st)), 'same seed, same safetensors');
  const strip = (p: string) => {
    const j = JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>;
    delete j.timings;
    delete j.files;
    return j;
  };
  assert.deepEqual(strip(a.json), strip(b.json), 'the JSON differs only in timings and file names');
  const c = run('c', '5');
  assert.ok(!readFileSync(a.st).equals(readFileSync(c.st)), 'another seed, other samples');
});

test('sample --method ar with one class, and the MLE model samples ar by default', () => {
  const out = join(root, 'ar.png');
  const r = ncml(['sample', '--checkpoint', ncmlRun, '--num', '3', '--method', 'ar', '--class', '1', '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  const { tensors } = loadFile(join(root, 'ar.safetensors'));
  assert.deepEqual(tensors.get('samples')!.shape, [3, 1, 8, 8]);
  assert.equal(tensors.get('noisy'), undefined);
  const json = JSON.parse(readFileSync(join(root, 'ar.json'), 'utf8')) as Record<string, unknown>;
  assert.equal(json.method, 'ar');
  assert.equal(json.t0, null);
  const mle = ncml(['sample', '--checkpoint', mleRun, '--num', '1', '--out', join(root, 'mle.png')]);
  assert.equal(mle.status, 0, mle.stderr);
  assert.equal((JSON.parse(readFileSync(join(root, 'mle.json'), 'utf8')) as { method: string }).method, 'ar');
});

test('complete: masked inputs and k completions per image; the kept rows are the inputs', () => {
  const out = join(root, 'completion.png');
  const r = ncml([
    'complete',
    '--checkpoint',
    ncmlRun,
    '--num',
    '2',
    '--keep-rows',
    '4',
    '--per-image',
    '2',
    '--steps',
    '2',
    '--out',
    out,
  ]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(pngSize(out), [22, 32]); // 2 rows; the input and 2 completions per row
  const { tensors } = loadFile(join(root, 'completion.safetensors'));
  const samples = tensors.get('samples')!;
  const inputs = tensors.get('inputs')!;
  assert.deepEqual(samples.shape, [4, 1, 8, 8]);
  assert.deepEqual(inputs.shape, [2, 1, 8, 8]);
  assert.deepEqual(tensors.get('mask')!.shape, [1, 1, 8, 8]);
  const s = samples.toArray() as Uint8Array;
  const x = inputs.toArray() as Uint8Array;
  for (let i = 0; i < 2; i++) {
    for (let j = 0; j < 2; j++) {
      const kept = s.subarray((i * 2 + j) * 64, (i * 2 + j) * 64 + 32);
      assert.deepEqual(Array.from(kept), Array.from(x.subarray(i * 64, i * 64 + 32)), `image ${i}, completion ${j}`);
    }
  }
});

test('start ends with a two-phase and a plain-AR grid of the model it trained, paths printed', () => {
  const out = join(root, 'start');
  const r = ncml(['start', ...SMALL, '--test-examples', '4', '--samples', '2', '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  for (const method of ['two-phase', 'ar']) {
    const png = join(out, 'samples', `${method}.png`);
    assert.ok(existsSync(png), png);
    assert.ok(existsSync(join(out, 'samples', `${method}.safetensors`)));
    assert.ok(r.stdout.includes(png), `${png} printed`);
  }
  assert.match(
    readFileSync(join(out, 'report.md'), 'utf8'),
    /## Samples[^]*two-phase \(t0 = 0\.05[^]*plain autoregressive/,
  );
});

const badInputs: [string, string[], RegExp][] = [
  [
    't0 above T',
    ['sample', '--checkpoint', ncmlRun, '--num', '1', '--class', '0', '--t0', '0.5'],
    /--t0 must be in \(0, T\] = \(0, 0\.1\]/,
  ],
  [
    't0 of 0',
    ['sample', '--checkpoint', ncmlRun, '--num', '1', '--class', '0', '--t0', '0'],
    /--t0 <t>.*expected a number > 0/,
  ],
  [
    'steps < 1',
    ['sample', '--checkpoint', ncmlRun, '--num', '1', '--class', '0', '--steps', '0'],
    /--steps <k>.*expected an integer in \[1, inf\]/,
  ],
  [
    'a class on an unconditional model',
    ['sample', '--checkpoint', mleRun, '--num', '1', '--class', '0'],
    /--class: .* is an unconditional model/,
  ],
  [
    'no class for a class-conditional model',
    ['sample', '--checkpoint', ncmlRun, '--num', '1'],
    /class-conditional \(2 classes\): give --class <k> or --class-grid/,
  ],
  [
    'a class out of range',
    ['sample', '--checkpoint', ncmlRun, '--num', '1', '--class', '2'],
    /--class must be in 0\.\.1/,
  ],
  [
    'an MLE model asked for two-phase',
    ['sample', '--checkpoint', mleRun, '--num', '1', '--method', 'two-phase'],
    /trained with the MLE objective .* use --method ar/,
  ],
  [
    'refinement flags with ar',
    ['sample', '--checkpoint', ncmlRun, '--num', '1', '--class', '0', '--method', 'ar', '--t0', '0.05'],
    /--t0 only apply to --method two-phase/,
  ],
  [
    'not a png',
    ['sample', '--checkpoint', ncmlRun, '--num', '1', '--out', join(root, 'x.jpg')],
    /--out must name a \.png file/,
  ],

  [
    'keep-rows of the whole image',
    ['complete', '--checkpoint', ncmlRun, '--num', '1', '--keep-rows', '8'],
    /--keep-rows must be below the image height 8/,
  ],
  [
    'more test images than there are',
    ['complete', '--checkpoint', ncmlRun, '--num', '9', '--keep-rows', '4'],
    /the test split has 8 images/,
  ],
];

for (const [what, args, message] of badInputs) {
  test(`ncml ${args[0]}: ${what} is a clear error before any sampling`, () => {
    const before = readdirSync(root).length;
    const r = ncml(args);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /^(sampling|completing) |\d+\/\d+ (rows|steps)/m, 'no sampling started');
    assert.equal(readdirSync(root).length, before, 'no files written');
    assert.ok(!existsSync(join(ncmlRun, 'samples')) && !existsSync(join(mleRun, 'samples')));
  });
}
