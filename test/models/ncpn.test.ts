import assert from 'node:assert/strict';
import { test } from 'node:test';

import { ConfigError, NCPN, parseConfig, presetConfig } from '../../src/models/ncpn/index.js';
import { autocast, manualSeed, noGrad, randn, scope, tensor, zeros } from '../../src/tensor/index.js';
import { assertClose, values } from '../helpers.js';

const small = (channels: 1 | 3, extra = {}) =>
  presetConfig('tiny', channels, {
    nrFilters: 16,
    attentionHeads: 4,
    attention: true,
    condDim: 16,
    fourierDim: 8,
    ...extra,
  });

test('output shapes for gray and RGB, at odd sizes through three scales', () => {
  for (const [channels, h, w] of [
    [1, 28, 28],
    [3, 32, 32],
    [1, 7, 9],
    [3, 13, 10],
  ] as const) {
    const model = new NCPN(small(channels, { nrLogisticMix: 4 }));
    const out = noGrad(() => model.forward(randn([2, channels, h, w]), { t: zeros([2]) }));
    assert.deepEqual(out.shape, [2, (channels === 1 ? 3 : 10) * 4, h, w]);
    assert.equal(out.dtype, 'float32');
  }
});

test('the noise level and the class change the output; t = 0 is fine', () => {
  manualSeed(1);
  const model = new NCPN(small(3, { numClasses: 4 })).eval();
  const x = randn([1, 3, 8, 8]);
  const run = (t: number, y: number) =>
    noGrad(() => model.forward(x, { t: tensor([t]), y: tensor([y], { dtype: 'int64' }) }));
  const base = values(run(0, 1));
  assert.ok(base.every(Number.isFinite));
  const diff = (a: number[]) => a.reduce((s, v, i) => s + Math.abs(v - base[i]!), 0);
  assert.ok(diff(values(run(0.5, 1))) > 1e-3, 'changing t must change the output');
  assert.ok(diff(values(run(0, 2))) > 1e-3, 'changing the class must change the output');
  assert.throws(() => model.forward(x, { t: tensor([0]) }), /class-conditional/);
  assert.throws(() => model.forward(x, { y: tensor([1], { dtype: 'int64' }) }), /noise-conditional/);
  assert.throws(
    () => model.forward(randn([1, 1, 8, 8]), { t: tensor([0]), y: tensor([1], { dtype: 'int64' }) }),
    /expects images \[B, 3, H, W\]/,
  );
});

test('same seed, same model and same output', () => {
  const build = () => {
    manualSeed(42);
    const model = new NCPN(small(1)).eval();
    return values(
      noGrad(() =>
        model.forward(
          tensor([
            [
              [
                [0.1, -0.2],
                [0.3, 0.9],
              ],
            ],
          ]),
          { t: tensor([0.1]) },
        ),
      ),
    );
  };
  assertClose(build(), build(), 0, 0);
});

test('every parameter receives a gradient', () => {
  const model = new NCPN(small(3, { numClasses: 3, dropout: 0.1 }));
  // attention's output projections start at zero; give them a value so gradients reach q, k, v
  noGrad(() => {
    for (const [name, p] of model.namedParameters()) if (name.includes('Attn') && name.includes('.out.')) p.fill_(0.1);
  });
  scope(() => {
    const out = model.forward(randn([2, 3, 8, 8]), { t: tensor([0.2, 0.7]), y: tensor([0, 2], { dtype: 'int64' }) });
    out.square().mean().backward();
  });
  const missing = [...model.namedParameters()].filter(([, p]) => {
    const g = p.grad;
    return g === null || g.abs().sum().item() === 0;
  });
  assert.deepEqual(
    missing.map(([n]) => n),
    [],
  );
});

test('a config round-trips through JSON and rebuilds an identical model', () => {
  const config = small(3, { numClasses: 10 });
  const a = new NCPN(config);
  const b = new NCPN(JSON.parse(JSON.stringify(a.config)));
  const shapes = (m: NCPN) => [...m.namedParameters()].map(([n, p]) => `${n}:${p.shape.join('x')}`);
  assert.deepEqual(shapes(b), shapes(a));
  assert.deepEqual(b.config, a.config);
});

test('presets: CPU sizes and the paper model next to its 73M', () => {
  const tiny = new NCPN(presetConfig('tiny', 1)).numParameters();
  const smallCount = new NCPN(presetConfig('small', 1)).numParameters();
  assert.ok(tiny < 1e6, `tiny has ${tiny} parameters`);
  assert.ok(smallCount > 3e6 && smallCount < 6e6, `small has ${smallCount} parameters`);
  const paper = new NCPN(presetConfig('paper', 3));
  const n = paper.numParameters();
  paper.dispose();
  assert.ok(Math.abs(n - 73e6) / 73e6 < 0.05, `paper preset has ${n} parameters, the paper reports 73M`);
});

test('bad configs are rejected with every problem named', () => {
  assert.throws(
    () => parseConfig({ ...small(1), channels: 2, nrFilters: -1 }),
    (e: Error) => e instanceof ConfigError && /channels/.test(e.message) && /nrFilters/.test(e.message),
  );
  assert.throws(() => parseConfig({ ...small(1), bogus: 1 }), /bogus/);
  assert.throws(() => parseConfig({ ...small(1), nrFilters: 10, attentionHeads: 4 }), /divisible by attentionHeads/);
});

test('channels_last and bf16 autocast give the fp32 result within tolerance', () => {
  manualSeed(5);
  const model = new NCPN(small(3)).eval();
  const x = randn([2, 3, 12, 12]);
  const t = tensor([0, 0.4]);
  const ref = values(noGrad(() => model.forward(x, { t })));
  model.channelsLast = true;
  assertClose(values(noGrad(() => model.forward(x, { t }))), ref, 1e-4, 1e-4);
  const bf16 = noGrad(() => autocast(() => model.forward(x, { t })));
  assert.equal(bf16.dtype, 'float32', 'the mixture parameters stay float32 under autocast');
  const scale = Math.max(...ref.map(Math.abs));
  assertClose(values(bf16), ref, 0.05 * scale, 0.05);
});
