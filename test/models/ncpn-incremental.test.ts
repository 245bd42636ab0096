// The incremental NCPN gives, at every pixel, the mixture parameters that
// NCPN.forward gives on the finished image: for every preset's structure
// (depth), gray and RGB, attention on and off, conditioned or not, on both
// backends, odd sizes, replayed programs, and a trained checkpoint.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { native } from '../../src/binding/native.js';
import { type NCPN, type NcpnConfig, presetConfig, PRESETS, type PresetName } from '../../src/models/ncpn/index.js';
import { createIncrementalStepper, type IncrementalImpl } from '../../src/models/ncpn/incremental.js';
import { loadTrainedModel } from '../../src/runs/load.js';
import {
  type DType,
  getNumThreads,
  noGrad,
  rand,
  scope,
  setNumThreads,
  tensor,
  zeros,
} from '../../src/tensor/index.js';
import { Trainer } from '../../src/train/index.js';
import { barsDataset, tinyConfig } from '../train/fixtures.js';
import { randomModel } from './ar-helpers.js';

function smallConfig(preset: PresetName, channels: 1 | 3, overrides: Partial<NcpnConfig> = {}): NcpnConfig {
  return presetConfig(preset, channels, {
    nrFilters: 8,
    attentionHeads: 2,
    condDim: 8,
    fourierDim: 8,
    nrLogisticMix: 2,
    ...overrides,
  });
}

interface Case {
  height: number;
  width: number;
  batch?: number;
  impl?: IncrementalImpl;
  images?: number;
}

/** Steps through random images; returns the largest |stepper - forward| over every pixel and parameter. */
function maxDiff(model: NCPN, dtype: DType, c: Case): number {
  const B = c.batch ?? 2;
  const cfg = model.config;
  let worst = 0;
  for (let n = 0; n < (c.images ?? 1); n++) {
    scope(() => {
      const x = rand([B, cfg.channels, c.height, c.width], { dtype }).mul(2).sub(1);
      const t = cfg.noiseConditioning ? rand([B], { dtype }) : null;
      const y =
        cfg.numClasses !== null
          ? tensor(
              [...Array(B).keys()].map((k) => k % 3),
              { dtype: 'int64' },
            )
          : null;
      const full = noGrad(() => model.forward(x, { t, y }));
      const stepper = createIncrementalStepper(
        model,
        { batch: B, height: c.height, width: c.width, t, y },
        { impl: c.impl },
      );
      try {
        for (let i = 0; i < c.height; i++) {
          for (let j = 0; j < c.width; j++) {
            scope(() => {
              const p = stepper.paramsAt(i, j);
              assert.deepEqual(p.shape, [B, model.outputChannels]);
              assert.equal(p.dtype, dtype);
              const d = p.sub(full.select(3, j).select(2, i)).abs().max().item();
              assert.ok(Number.isFinite(d), `non-finite parameters at (${i}, ${j})`);
              worst = Math.max(worst, d);
              stepper.write(i, j, x.select(3, j).select(2, i));
            });
          }
        }
      } finally {
        stepper.dispose();
      }
    });
  }
  return worst;
}

for (const preset of Object.keys(PRESETS) as PresetName[]) {
  for (const channels of [1, 3] as const) {
    for (const attention of [false, true]) {
      const name = `${preset} depth (nrResnet ${PRESETS[preset].nrResnet}), ${channels === 1 ? 'gray' : 'RGB'}, attention ${attention ? 'on' : 'off'}`;
      test(`${name}, conditioned: the program executor equals forward at every pixel (float64)`, () => {
        const model = randomModel(smallConfig(preset, channels, { attention, numClasses: channels === 3 ? 3 : null }));
        const d = maxDiff(model, 'float64', { height: 8, width: 8 });
        assert.ok(d < 1e-9, `max |diff| ${d}`);
        model.dispose();
      });
    }
  }
}

test('odd sizes (7x9, 5x3, 1x2) with attention: every scale edge', () => {
  const model = randomModel(smallConfig('small', 3, { attention: true }));
  for (const [height, width] of [
    [7, 9],
    [5, 3],
    [1, 2],
  ] as const) {
    const d = maxDiff(model, 'float64', { height, width, batch: 3 });
    assert.ok(d < 1e-9, `${height}x${width}: max |diff| ${d}`);
  }
  model.dispose();
});

test('the libtorch-ops backend equals forward too (float64), RGB with attention and both conditionings', () => {
  const model = randomModel(smallConfig('small', 3, { attention: true, numClasses: 3 }));
  const d = maxDiff(model, 'float64', { height: 8, width: 6, impl: 'ops' });
  assert.ok(d < 1e-9, `max |diff| ${d}`);
  model.dispose();
});

test('float32: both backends within 1e-4 of forward', () => {
  const model = randomModel(smallConfig('tiny', 3, { attention: true }), 'float32');
  for (const impl of ['program', 'ops'] as const) {
    const d = maxDiff(model, 'float32', { height: 8, width: 8, impl });
    assert.ok(d < 1e-4, `${impl}: max |diff| ${d}`);
  }
  model.dispose();
});

test('on two threads (the executor splits large GEMMs by rows) the parameters are the same', () => {
  const model = randomModel(smallConfig('small', 3, { attention: true }));
  const threads = getNumThreads();
  setNumThreads(2);
  try {
    const d = maxDiff(model, 'float64', { height: 6, width: 8, batch: 40 });
    assert.ok(d < 1e-9, `max |diff| ${d}`);
  } finally {
    setNumThreads(threads);
  }
  model.dispose();
});

test('a plain PixelCNN++ (no noise or class conditioning, t = null)', () => {
  const model = randomModel(smallConfig('tiny', 1, { noiseConditioning: false }));
  const d = maxDiff(model, 'float64', { height: 8, width: 8 });
  assert.ok(d < 1e-9, `max |diff| ${d}`);
  model.dispose();
});

test('later steppers of the same model replay the stored programs and stay exact', () => {
  const model = randomModel(smallConfig('tiny', 3, { attention: true }));
  // Three images at batch 2 (the second and third replay), one at batch 3 (its own programs), then batch 2 again.
  let d = maxDiff(model, 'float64', { height: 8, width: 8, images: 3 });
  d = Math.max(d, maxDiff(model, 'float64', { height: 8, width: 8, batch: 3 }));
  d = Math.max(d, maxDiff(model, 'float64', { height: 8, width: 8 }));
  assert.ok(d < 1e-9, `max |diff| ${d}`);
  model.dispose();
});

test('a trained checkpoint (30 steps on 8x8 bars): float32 within 1e-4, float64 within 1e-9', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ncml-incremental-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const data = { train: barsDataset(), validation: barsDataset(16, 7) };
  await new Trainer(tinyConfig({ steps: 30 }), dir, { data }).run();
  const { model } = loadTrainedModel(dir);
  const d32 = maxDiff(model, 'float32', { height: 8, width: 8, batch: 4 });
  assert.ok(d32 < 1e-4, `float32: max |diff| ${d32}`);
  model.to('float64');
  const d64 = maxDiff(model, 'float64', { height: 8, width: 8, batch: 4 });
  assert.ok(d64 < 1e-9, `float64: max |diff| ${d64}`);
  model.dispose();
});

test('the stepper contract: raster order, write shape, completion, dispose', () => {
  const model = randomModel(smallConfig('tiny', 1));
  const t = tensor([0.5], { dtype: 'float64' });
  const st = createIncrementalStepper(model, { batch: 1, height: 2, width: 2, t, y: null });
  const v = zeros([1, 1], { dtype: 'float64' });
  assert.throws(() => st.paramsAt(0, 1), RangeError);
  assert.throws(() => st.write(0, 0, v), /must follow paramsAt/);
  const first = st.paramsAt(0, 0);
  assert.equal(st.paramsAt(0, 0).sub(first).abs().max().item(), 0, 'asking again for the same pixel is harmless');
  assert.throws(() => st.write(0, 0, zeros([1, 3], { dtype: 'float64' })), /expects a value \[1, 1\]/);
  st.write(0, 0, v);
  assert.throws(() => st.paramsAt(1, 0), /expected \(0, 1\)/);
  for (const [i, j] of [
    [0, 1],
    [1, 0],
    [1, 1],
  ] as const) {
    st.paramsAt(i, j);
    st.write(i, j, v);
  }
  assert.throws(() => st.paramsAt(2, 0), /complete/);
  st.dispose();
  st.dispose();
  assert.throws(() => st.paramsAt(0, 0), /after dispose/);
  assert.throws(
    () => createIncrementalStepper(model, { batch: 1, height: 4, width: 4, t: null, y: null }),
    /noise-conditional/,
  );
  assert.throws(() => createIncrementalStepper(model, { batch: 2, height: 4, width: 4, t, y: null }), /batch size 2/);
  model.dispose();
});

test('no tensor handle outlives the stepper', () => {
  const model = randomModel(smallConfig('tiny', 3, { attention: true }));
  const t = tensor([0.1, 0.9], { dtype: 'float64' });
  const v = zeros([2, 3], { dtype: 'float64' });
  for (const impl of ['program', 'ops'] as const) {
    const before = native.liveHandles();
    const st = createIncrementalStepper(model, { batch: 2, height: 4, width: 4, t, y: null }, { impl });
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) {
        scope(() => {
          st.paramsAt(i, j);
          st.write(i, j, v);
        });
      }
    }
    st.dispose();
    assert.equal(native.liveHandles(), before, `${impl}: handles leaked`);
  }
  model.dispose();
});

test('the native executor rejects a bad program before changing any buffer', () => {
  const exec = native as unknown as {
    incrementalCreate(b: number[], batch: number): number;
    incrementalRun(id: number, p: Int32Array, cols: number): number | null;
    incrementalRelease(id: number): void;
  };
  const a = tensor([1, 2, 3, 4]);
  const out = zeros([4]);
  const id = exec.incrementalCreate([a.handle, out.handle], 1);
  const copy = (n: number, dstOff: number) => [5, n, 0, 0, 1, n, 0, 1, dstOff, 1, n, 0];
  exec.incrementalRun(id, Int32Array.from(copy(2, 0)), 0);
  assert.deepEqual(Array.from(out.toArray() as Float32Array), [1, 2, 0, 0]);
  // The first copy is fine, the second reaches past the end: nothing runs.
  assert.throws(() => exec.incrementalRun(id, Int32Array.from([...copy(4, 0), ...copy(4, 2)]), 0), RangeError);
  assert.deepEqual(Array.from(out.toArray() as Float32Array), [1, 2, 0, 0]);
  assert.throws(() => exec.incrementalRun(id, Int32Array.from([99]), 0), /unknown instruction/);
  assert.throws(() => exec.incrementalRun(id, Int32Array.from([5, 2, 0]), 0), /truncated/);
  assert.throws(
    () => exec.incrementalRun(id, Int32Array.from(copy(2, 0).map((w, k) => (k === 2 ? 7 : w))), 0),
    /buffer 7/,
  );
  assert.throws(() => exec.incrementalCreate([a.handle, tensor([1], { dtype: 'float64' }).handle], 1), /one dtype/);
  exec.incrementalRelease(id);
  assert.throws(() => exec.incrementalRun(id, Int32Array.from(copy(2, 0)), 0), /released/);
  a.dispose();
  out.dispose();
});
