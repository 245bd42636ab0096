import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

import {
  LEVELS_PER_UNIT,
  meanAbsPerturbation,
  meanAbsPerturbationMonteCarlo,
  perturbationTable,
  timeAtMeanPerturbation,
} from '../../src/ncml/perturbation.js';
import { FASHION_MNIST_TRAIN_IMAGES, documentedTables, readIdxImages } from '../../src/ncml/perturbation-table.js';
import { pixelHistogram, uniformPixelHistogram } from '../../src/ncml/pixel-histogram.js';
import { createSde } from '../../src/ncml/sde/index.js';
import { type Tensor, manualSeed, randint, tensor, where } from '../../src/tensor/index.js';
import { assertClose, tempDir } from '../helpers.js';

const KINDS = ['ve', 'vp', 'subvp'] as const;

/** Mostly black, some white, the rest uniform: a lopsided histogram like Fashion-MNIST's. */
function lopsidedPixels(n: number): Tensor {
  manualSeed(11);
  const uniform = randint(0, 256, [n], { dtype: 'uint8' });
  const choice = randint(0, 10, [n]);
  return where(choice.lt(5), 0, where(choice.lt(7), 255, uniform)).to('uint8');
}

test('pixelHistogram counts values and rejects non-pixels', () => {
  const h = pixelHistogram(tensor([0, 0, 3, 255], { dtype: 'int64' }).to('uint8'));
  assert.equal(h.length, 256);
  assert.equal(h[0], 0.5);
  assert.equal(h[3], 0.25);
  assert.equal(h[255], 0.25);
  assert.equal(
    h.reduce((a, b) => a + b, 0),
    1,
  );
  assert.deepEqual(pixelHistogram(new Uint8Array([7, 7])), pixelHistogram(tensor([7, 7]).to('uint8')));
  assert.throws(() => pixelHistogram(tensor([1, 2])), /expected uint8 pixels, got float32/);
  assert.throws(() => pixelHistogram(new Uint8Array(0)), /no pixels/);
});

test('the closed form agrees with a Monte Carlo estimate', () => {
  const pixels = lopsidedPixels(100_000);
  const histogram = pixelHistogram(pixels);
  for (const kind of KINDS) {
    const sde = createSde(kind);
    for (const t of [sde.T / 20, sde.T / 4, sde.T]) {
      const exact = meanAbsPerturbation(sde, t, histogram);
      const { mean, standardError } = meanAbsPerturbationMonteCarlo(sde, t, pixels);
      assert.ok(
        Math.abs(mean - exact) < 5 * standardError,
        `${kind} at t = ${t}: closed form ${exact}, Monte Carlo ${mean} +- ${standardError}`,
      );
    }
  }
});

test('VE does not depend on the data: 127.5 s(t) sqrt(2/pi)', () => {
  const ve = createSde('ve');
  const lopsided = pixelHistogram(lopsidedPixels(10_000));
  for (const t of [0.001, 0.1, 0.5]) {
    const expected = LEVELS_PER_UNIT * ve.std(t) * Math.sqrt(2 / Math.PI);
    assertClose(meanAbsPerturbation(ve, t, lopsided), expected, 0, 1e-12);
    assertClose(meanAbsPerturbation(ve, t, uniformPixelHistogram()), expected, 0, 1e-12);
  }
});

test('VP and sub-VP move extreme pixels more than mid-grey ones', () => {
  // Mid-grey (u = +-0.5) hardly feels the shrinkage (m - 1) u: pure noise, as for VE.
  const grey = pixelHistogram(new Uint8Array([127, 128]));
  const black = pixelHistogram(new Uint8Array([0]));
  for (const kind of ['vp', 'subvp'] as const) {
    const sde = createSde(kind);
    const t = sde.T / 2;
    assertClose(meanAbsPerturbation(sde, t, grey), 127.5 * sde.std(t) * Math.sqrt(2 / Math.PI), 0, 1e-5);
    assert.ok(meanAbsPerturbation(sde, t, black) > meanAbsPerturbation(sde, t, grey) * 1.001, kind);
  }
});

test('the mean perturbation is 0 at t = 0 and increases with t', () => {
  const histogram = pixelHistogram(lopsidedPixels(10_000));
  for (const kind of KINDS) {
    const sde = createSde(kind);
    assert.equal(meanAbsPerturbation(sde, 0, histogram), 0, kind);
    const times = Array.from({ length: 101 }, (_, i) => (i / 100) * sde.T);
    const rows = perturbationTable(sde, times, histogram);
    assert.deepEqual(
      rows.map((r) => r.t),
      times,
    );
    for (let i = 1; i < rows.length; i++) {
      assert.ok(rows[i]!.levels > rows[i - 1]!.levels, `${kind}: not increasing at t = ${rows[i]!.t}`);
    }
  }
});

test('timeAtMeanPerturbation finds where the mean reaches a level', () => {
  const histogram = uniformPixelHistogram();
  for (const kind of KINDS) {
    const sde = createSde(kind);
    for (const level of [0.5, 1, 40]) {
      const t = timeAtMeanPerturbation(sde, histogram, level);
      assertClose(meanAbsPerturbation(sde, t, histogram), level, 0, 1e-9);
    }
  }
  // VE by hand: s* = 1 / (127.5 sqrt(2/pi)), sigma* = sqrt(s*^2 + sigmaMin^2).
  const sStar = 1 / (127.5 * Math.sqrt(2 / Math.PI));
  const expected = Math.log(Math.hypot(sStar, 0.01) / 0.01) / Math.log(50 / 0.01);
  assertClose(timeAtMeanPerturbation(createSde('ve'), histogram, 1), expected, 0, 1e-9);
  assert.throws(() => timeAtMeanPerturbation(createSde('vp'), histogram, 1000), /never perturbs pixels by 1000 levels/);
});

test('readIdxImages reads the pixels after the 16-byte header', () => {
  const dir = tempDir('ncml-idx-');
  const header = Buffer.from([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2]);
  writeFileSync(join(dir, 'ok.gz'), gzipSync(Buffer.concat([header, Buffer.from([1, 2, 3, 4])])));
  assert.deepEqual(Array.from(readIdxImages(join(dir, 'ok.gz'))), [1, 2, 3, 4]);
  writeFileSync(join(dir, 'short.gz'), gzipSync(Buffer.concat([header, Buffer.from([1, 2, 3])])));
  assert.throws(() => readIdxImages(join(dir, 'short.gz')), /expected 4 pixels, found 3/);
  writeFileSync(join(dir, 'labels.gz'), gzipSync(Buffer.from([0, 0, 8, 1, 0, 0, 0, 1, 5])));
  assert.throws(() => readIdxImages(join(dir, 'labels.gz')), /not an IDX uint8 3-d/);
});

const DOC = join(dirname(fileURLToPath(import.meta.url)), '../../../docs/noise-processes.md');

test(
  'docs/noise-processes.md shows the current tables',
  { skip: existsSync(FASHION_MNIST_TRAIN_IMAGES) ? false : 'Fashion-MNIST (dataset-fashion-mnist) not installed' },
  () => {
    const doc = readFileSync(DOC, 'utf8');
    const start = '<!-- perturbation-tables:begin -->\n';
    const end = '<!-- perturbation-tables:end -->';
    const from = doc.indexOf(start);
    const to = doc.indexOf(end);
    assert.ok(from >= 0 && to > from, 'the doc marks its generated tables');
    assert.equal(
      doc.slice(from + start.length, to),
      documentedTables(),
      'stale tables: regenerate with node dist/src/ncml/perturbation-table.js',
    );
  },
);
