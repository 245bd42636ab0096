import assert from 'node:assert/strict';
import { test } from 'node:test';

import { type Sde, SubVpSde, VeSde, VpSde, createSde } from '../../src/ncml/sde/index.js';
import { type Tensor, full, manualSeed, randn, scope, tensor } from '../../src/tensor/index.js';
import { assertClose, values } from '../helpers.js';

// The formulas, written out independently of the implementation.
interface Expected {
  m: number;
  s: number;
  g: number;
  /** a(t) in f(x, t) = a(t) x. */
  a: number;
}

function veByHand(t: number, sigmaMin = 0.01, sigmaMax = 50): Expected {
  const sigma = sigmaMin * (sigmaMax / sigmaMin) ** t;
  return {
    m: 1,
    s: Math.sqrt(sigma * sigma - sigmaMin * sigmaMin),
    g: sigma * Math.sqrt(2 * Math.log(sigmaMax / sigmaMin)),
    a: 0,
  };
}

function vpByHand(t: number, b0 = 0.1, b1 = 20): Expected {
  const L = -0.25 * t * t * (b1 - b0) - 0.5 * t * b0;
  const beta = b0 + t * (b1 - b0);
  return { m: Math.exp(L), s: Math.sqrt(1 - Math.exp(2 * L)), g: Math.sqrt(beta), a: -beta / 2 };
}

function subVpByHand(t: number, b0 = 0.1, b1 = 20): Expected {
  const L = -0.25 * t * t * (b1 - b0) - 0.5 * t * b0;
  const beta = b0 + t * (b1 - b0);
  const g = Math.sqrt(beta * (1 - Math.exp(-2 * b0 * t - (b1 - b0) * t * t)));
  return { m: Math.exp(L), s: 1 - Math.exp(2 * L), g, a: -beta / 2 };
}

const CASES: { name: string; make: () => Sde; byHand: (t: number) => Expected }[] = [
  { name: 've', make: () => new VeSde(), byHand: (t) => veByHand(t) },
  { name: 'vp', make: () => new VpSde(), byHand: (t) => vpByHand(t) },
  { name: 'subvp', make: () => new SubVpSde(), byHand: (t) => subVpByHand(t) },
  {
    name: 've (custom)',
    make: () => createSde('ve', { sigmaMin: 0.05, sigmaMax: 5, T: 1 }),
    byHand: (t) => veByHand(t, 0.05, 5),
  },
  {
    name: 'vp (custom)',
    make: () => createSde('vp', { betaMin: 1, betaMax: 10 }),
    byHand: (t) => vpByHand(t, 1, 10),
  },
  {
    name: 'subvp (custom)',
    make: () => createSde('subvp', { betaMin: 0.5, betaMax: 5 }),
    byHand: (t) => subVpByHand(t, 0.5, 5),
  },
];

test('defaults are the paper NCML horizons and Song et al. schedules', () => {
  assert.deepEqual(createSde('ve').config, { kind: 've', sigmaMin: 0.01, sigmaMax: 50, T: 0.5 });
  assert.deepEqual(createSde('vp').config, { kind: 'vp', betaMin: 0.1, betaMax: 20, T: 0.1 });
  assert.deepEqual(createSde('subvp').config, { kind: 'subvp', betaMin: 0.1, betaMax: 20, T: 0.025 });
});

test('closed forms match the formulas at chosen times', () => {
  // A spot value worked out on paper: VE std at T = 0.5 is sqrt(0.01^2 * 5000 - 0.01^2).
  assertClose(createSde('ve').std(0.5), Math.sqrt(0.4999), 0, 1e-12);
  for (const { name, make, byHand } of CASES) {
    const sde = make();
    for (const t of [0.0003, 0.01, 0.07, sde.T, 0.9]) {
      const e = byHand(t);
      const at = `${name} at t = ${t}`;
      assertClose(sde.meanCoeff(t), e.m, 0, 1e-12);
      assertClose(sde.std(t), e.s, 0, 1e-9);
      assertClose(sde.diffusion(t), e.g, 0, 1e-12);
      assertClose(sde.priorStd(t), Math.hypot(e.m, e.s), 0, 1e-12);
      const x = tensor([-1, 0.25, 0.9], { dtype: 'float64' });
      assertClose(sde.drift(x, t), [-e.a, 0.25 * e.a, 0.9 * e.a], 1e-15, 1e-12);
      const score = tensor([2, -3, 0.5], { dtype: 'float64' });
      const f = [-e.a, 0.25 * e.a, 0.9 * e.a];
      const g2 = e.g * e.g;
      assertClose(sde.reverseDrift(x, t, score), [f[0]! - g2 * 2, f[1]! + g2 * 3, f[2]! - g2 * 0.5], 1e-12, 1e-12);
      assertClose(
        sde.probabilityFlowDrift(x, t, score),
        [f[0]! - g2, f[1]! + 1.5 * g2, f[2]! - 0.25 * g2],
        1e-12,
        1e-12,
      );
      assert.ok(sde.std(t) > 0, at);
    }
  }
});

test('t = 0 is exactly the clean data for every SDE', () => {
  for (const kind of ['ve', 'vp', 'subvp'] as const) {
    const sde = createSde(kind);
    assert.equal(sde.meanCoeff(0), 1, kind);
    assert.equal(sde.std(0), 0, kind);
    assert.deepEqual(values(sde.meanCoeff(tensor([0]))), [1], kind);
    assert.deepEqual(values(sde.std(tensor([0]))), [0], kind);
    const x0 = randn([4, 1, 3, 3], { dtype: 'float64' });
    const { xt } = sde.perturb(x0, 0);
    assert.deepEqual(values(xt), values(x0), kind);
    const perExample = sde.perturb(x0, tensor([0, 0, 0, 0], { dtype: 'float64' })).xt;
    assert.deepEqual(values(perExample), values(x0), kind);
  }
});

test('s(t) increases strictly on [0, T] and VP keeps unit prior variance', () => {
  for (const kind of ['ve', 'vp', 'subvp'] as const) {
    const sde = createSde(kind);
    let previous = -1;
    for (let i = 0; i <= 200; i++) {
      const s = sde.std((i / 200) * sde.T);
      assert.ok(s > previous, `${kind}: std not increasing at step ${i}`);
      previous = s;
    }
  }
  assertClose(createSde('vp').priorStd(), 1, 1e-12);
  assert.ok(createSde('subvp').priorStd() < 1);
});

test('tensor times give the same coefficients as number times', () => {
  for (const { name, make } of CASES) {
    const sde = make();
    const times = [0, 0.001, sde.T / 3, sde.T];
    const t = tensor(times, { dtype: 'float64' });
    assertClose(
      sde.meanCoeff(t),
      times.map((u) => sde.meanCoeff(u)),
      0,
      1e-12,
    );
    assertClose(
      sde.std(t),
      times.map((u) => sde.std(u)),
      0,
      1e-12,
    );
    assertClose(
      sde.diffusion(t),
      times.map((u) => sde.diffusion(u)),
      0,
      1e-12,
    );
    // float32 times work too (to float32 precision), and keep their shape.
    const t32 = sde.std(tensor(times).reshape(2, 2));
    assert.deepEqual(t32.shape, [2, 2], name);
    assertClose(
      t32,
      times.map((u) => sde.std(u)),
      1e-7,
      1e-5,
    );
  }
});

test('per-example times broadcast over C, H, W', () => {
  for (const kind of ['ve', 'vp', 'subvp'] as const) {
    scope(() => {
      const sde = createSde(kind);
      const times = [0, sde.T / 2, sde.T];
      const x0 = randn([3, 2, 4, 4], { dtype: 'float64' });
      const { xt, noise } = sde.perturb(x0, tensor(times, { dtype: 'float64' }));
      const drift = sde.drift(x0, tensor(times, { dtype: 'float64' }));
      const score = randn([3, 2, 4, 4], { dtype: 'float64' });
      const reverse = sde.reverseDrift(x0, tensor(times, { dtype: 'float64' }), score);
      assert.deepEqual(xt.shape, [3, 2, 4, 4]);
      times.forEach((t, b) => {
        const expected = x0
          .select(0, b)
          .mul(sde.meanCoeff(t))
          .add(noise.select(0, b).mul(sde.std(t)));
        assertClose(xt.select(0, b), values(expected), 1e-12, 1e-12);
        assertClose(drift.select(0, b), values(sde.drift(x0.select(0, b), t)), 1e-12, 1e-12);
        assertClose(reverse.select(0, b), values(sde.reverseDrift(x0.select(0, b), t, score.select(0, b))), 1e-12);
      });
      // A float32 batch stays float32 with float64 times.
      assert.equal(sde.perturb(x0.float(), tensor(times, { dtype: 'float64' })).xt.dtype, 'float32');
    });
  }
});

test('bad times and shapes are rejected', () => {
  const sde = createSde('vp');
  const x = randn([3, 1, 2, 2]);
  assert.throws(() => sde.std(-0.1), /t must be a finite number >= 0, got -0.1/);
  assert.throws(() => sde.std(Number.NaN), /finite number/);
  assert.throws(() => sde.perturb(x, tensor([0.1, 0.2])), /shape \[B\] = \[3\].*got \[2\]/);
  assert.throws(
    () => sde.drift(x, tensor([1, 2, 3], { dtype: 'int64' })),
    /time tensor must be floating point, got int64/,
  );
});

test('config is plain JSON that rebuilds the same SDE', () => {
  const originals = [
    createSde('ve', { sigmaMax: 80, T: 0.3 }),
    createSde('vp', { betaMin: 0.2 }),
    createSde('subvp', { betaMax: 15, T: 0.05 }),
  ];
  for (const sde of originals) {
    const saved = JSON.parse(JSON.stringify({ sde: sde.config })) as { sde: Sde['config'] };
    const rebuilt = createSde(saved.sde);
    assert.deepEqual(rebuilt.config, sde.config);
    assert.equal(rebuilt.kind, sde.kind);
    assert.equal(rebuilt.std(0.02), sde.std(0.02));
  }
  const config = originals[0]!.config;
  (config as { T: number }).T = 9;
  assert.equal(originals[0]!.T, 0.3, 'config is a copy');
});

test('bad configs are rejected with clear errors', () => {
  assert.throws(() => createSde('vp', { beta_min: 1 } as never), /unknown vp parameter\(s\) beta_min/);
  assert.throws(() => createSde({ kind: 'ou' } as never), /unknown SDE kind 'ou'/);
  assert.throws(() => createSde('ve', { sigmaMin: 2, sigmaMax: 1 }), /0 < sigmaMin < sigmaMax/);
  assert.throws(() => createSde('subvp', { betaMin: -1 }), /0 <= betaMin <= betaMax/);
  assert.throws(() => createSde('vp', { T: 0 }), /horizon T must be a positive number/);
  assert.equal(createSde('vp', { T: undefined }).T, 0.1, 'undefined means the default');
});

/** Euler–Maruyama paths of dx = f dt + g dw from x(0) = x0, float64. */
function simulate(sde: Sde, x0: number, paths: number, steps: number): Tensor {
  const dt = sde.T / steps;
  let x = full([paths], x0, { dtype: 'float64' });
  for (let k = 0; k < steps; k++) {
    const t = k * dt;
    const next = scope(() =>
      x.add(sde.drift(x, t).mul(dt)).add(randn([paths], { dtype: 'float64' }).mul(sde.diffusion(t) * Math.sqrt(dt))),
    );
    x.dispose();
    x = next;
  }
  return x;
}

test('simulated forward SDEs match the marginal mean and std at T', () => {
  manualSeed(7);
  const paths = 20_000;
  const x0 = 0.8;
  for (const kind of ['ve', 'vp', 'subvp'] as const) {
    const sde = createSde(kind);
    const xT = simulate(sde, x0, paths, 1000);
    const m = sde.meanCoeff(sde.T);
    const s = sde.std(sde.T);
    const mean = xT.mean().item();
    const std = xT.std().item();
    // 5 standard errors, plus 0.5% for the Euler–Maruyama discretization.
    const meanTol = (5 * s) / Math.sqrt(paths) + 0.005 * Math.abs(m - 1) * x0;
    assert.ok(Math.abs(mean - m * x0) < meanTol, `${kind}: mean ${mean} vs ${m * x0} (tol ${meanTol})`);
    const stdTol = s * (5 / Math.sqrt(2 * paths) + 0.005);
    assert.ok(Math.abs(std - s) < stdTol, `${kind}: std ${std} vs ${s} (tol ${stdTol})`);
    xT.dispose();
  }
});
