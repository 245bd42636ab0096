// Refinement integrates the reverse diffusion correctly, checked against
// Gaussian data, for which every p_t is Gaussian and its score closed form:
// x_0 ~ N(mu, sigma^2) per coordinate gives p_t = N(m mu, m^2 sigma^2 + s^2).
// From exact draws of p_t0, each predictor (with and without the Langevin
// corrector) must return the data's mean and variance at t = 0 within
// sampling error, and the probability-flow ODE must map x(t0) to its closed
// form x(0) = mu + sigma (x(t0) - m mu) / sqrt(v(t0)).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { createSde, type Sde, type SdeKind } from '../../src/ncml/sde/index.js';
import {
  CORRECTORS,
  defaultEps,
  LangevinCorrector,
  PREDICTORS,
  refine,
  refinementTimes,
  type ScoreFn,
} from '../../src/sampling/index.js';
import { linspace, manualSeed, randn, scope, type Tensor } from '../../src/tensor/index.js';
import { assertClose, values } from '../helpers.js';

const B = 4000;
const SHAPE = [B, 1, 2, 4];
const D = 8;
const opts = { dtype: 'float64' as const };
const MU = () => linspace(-0.2, 0.6, D, opts).reshape([1, 1, 2, 4]);
const SIGMA = () => linspace(0.1, 0.4, D, opts).reshape([1, 1, 2, 4]);

/** The variance of p_t per coordinate, m^2 sigma^2 + s^2. */
function variance(sde: Sde, t: number): Tensor {
  const m = sde.meanCoeff(t);
  return SIGMA()
    .square()
    .mul(m * m)
    .add(sde.std(t) ** 2);
}

function gaussianScore(sde: Sde): ScoreFn {
  return (x, t) =>
    scope(() =>
      x
        .sub(MU().mul(sde.meanCoeff(t)))
        .div(variance(sde, t))
        .neg(),
    );
}

/** Exact draws from p_t0. */
function drawAt(sde: Sde, t0: number): Tensor {
  return scope(() => {
    const x0 = randn(SHAPE, opts).mul(SIGMA()).add(MU());
    return sde.perturb(x0, t0).xt;
  });
}

/** Mean and variance of the standardized samples z = (x - mu) / sigma, pooled over coordinates. */
function standardized(x: Tensor): { mean: number; variance: number } {
  return scope(() => {
    const z = x.sub(MU()).div(SIGMA());
    return { mean: z.mean().item(), variance: z.var(undefined, { correction: 1 }).item() };
  });
}

const SDES: SdeKind[] = ['vp', 've', 'subvp'];
const STEPS = 200;

for (const kind of SDES) {
  for (const predictor of PREDICTORS) {
    for (const corrector of CORRECTORS) {
      test(`${kind}: ${predictor}${corrector === 'none' ? '' : ` + ${corrector}`} recovers the data's mean and variance`, () => {
        const sde = createSde(kind);
        manualSeed(1);
        scope(() => {
          const t0 = sde.T;
          const eps = defaultEps(sde);
          const out = refine(null, sde, drawAt(sde, t0), {
            t0,
            steps: STEPS,
            predictor,
            corrector,
            scoreFn: gaussianScore(sde),
            quantize: false,
            seed: 2,
          });
          // Tweedie's last step returns E[x_0 | x_eps], whose variance is sigma^2 m^2 sigma^2 / v(eps).
          const m = sde.meanCoeff(eps);
          const shrink = values(
            SIGMA()
              .square()
              .mul(m * m)
              .div(variance(sde, eps)),
          );
          const expectedVariance = shrink.reduce((a, b) => a + b, 0) / D;
          const { mean, variance: v } = standardized(out.continuous);
          const n = B * D;
          // Four standard errors of sampling, plus the corrector's step-size bias (~1-2 % for snr 0.16).
          const meanTol = 4 / Math.sqrt(n) + 0.01;
          const varTol = 4 * Math.sqrt(2 / n) + (corrector === 'none' ? 0.01 : 0.03);
          assert.ok(Math.abs(mean) < meanTol, `mean of z ${mean} (tolerance ${meanTol})`);
          assert.ok(
            Math.abs(v - expectedVariance) < varTol,
            `variance of z ${v}, expected ${expectedVariance} (tolerance ${varTol})`,
          );
          const perStep = predictor === 'probability-flow' ? 2 : 1;
          assert.equal(out.scoreEvaluations, (STEPS - 1) * perStep + 1 + (corrector === 'none' ? 0 : STEPS));
        });
      });
    }
  }
}

for (const kind of SDES) {
  test(`${kind}: the probability-flow ODE maps x(t0) to the closed-form x(0)`, () => {
    const sde = createSde(kind);
    manualSeed(3);
    scope(() => {
      const t0 = sde.T;
      const xt0 = drawAt(sde, t0).narrow(0, 0, 200);
      const score = gaussianScore(sde);
      const white = xt0.sub(MU().mul(sde.meanCoeff(t0))).div(variance(sde, t0).sqrt());
      const flowTo = (t: number) => white.mul(variance(sde, t).sqrt()).add(MU().mul(sde.meanCoeff(t)));
      const common = { t0, steps: 100, predictor: 'probability-flow' as const, scoreFn: score, quantize: false };
      // To t = 0 along the ODE itself.
      const ode = refine(null, sde, xt0, { ...common, denoise: false });
      assertClose(ode.continuous, values(flowTo(0)), 2e-4, 0);
      // To eps along the ODE, then Tweedie's step.
      const eps = defaultEps(sde);
      const xEps = flowTo(eps);
      const s = sde.std(eps);
      const tweedie = xEps.add(score(xEps, eps).mul(s * s)).div(sde.meanCoeff(eps));
      const denoised = refine(null, sde, xt0, common);
      assertClose(denoised.continuous, values(tweedie), 2e-4, 0);
      // Deterministic: no seed needed, same result.
      assert.deepEqual(values(refine(null, sde, xt0, common).continuous), values(denoised.continuous));
    });
  });
}

test('Langevin at a fixed time moves any start to p_t', () => {
  const sde = createSde('vp');
  manualSeed(4);
  scope(() => {
    const t = sde.T / 2;
    const corrector = new LangevinCorrector(sde, gaussianScore(sde), { steps: 300 });
    const start = randn(SHAPE, opts).mul(0.05); // far too narrow, and centred wrong
    const { x } = corrector.updateFn(start, t, t / 2);
    const z = x.sub(MU().mul(sde.meanCoeff(t))).div(variance(sde, t).sqrt());
    const n = B * D;
    assert.ok(Math.abs(z.mean().item()) < 4 / Math.sqrt(n) + 0.01, `mean ${z.mean().item()}`);
    // Unadjusted Langevin with step h on N(0, v) has variance v / (1 - h / 2v): ~1.3 % high at snr 0.16.
    const v = z.var().item();
    assert.ok(v > 1 - 0.02 && v < 1.05, `variance ${v}`);
  });
});

test('the time grid and bad refinement requests', () => {
  assert.deepEqual(refinementTimes(0.1, 0.001, 1), [0.1, 0]);
  const grid = refinementTimes(0.1, 0.001, 4);
  assertClose(grid, [0.1, 0.067, 0.034, 0.001, 0], 1e-12);
  const sde = createSde('vp');
  const x = randn([1, 1, 2, 2]);
  const score: ScoreFn = (v) => v.neg();
  assert.throws(() => refine(null, sde, x, { t0: 0.2, steps: 3, scoreFn: score }), /t0 in \(0, T\] = \(0, 0\.1\]/);
  assert.throws(() => refine(null, sde, x, { t0: 0, steps: 3, scoreFn: score }), /t0 in \(0, T\]/);
  assert.throws(() => refine(null, sde, x, { t0: 0.1, steps: 0, scoreFn: score }), /steps must be an integer >= 1/);
  assert.throws(() => refine(null, sde, x, { t0: 0.1, steps: 3, eps: 0.5, scoreFn: score }), /0 < eps < t0/);
  assert.throws(() => refine(null, sde, x, { t0: 0.1, steps: 3 }), /give a model or a scoreFn/);
  assert.throws(
    () => refine(null, sde, x, { t0: 0.1, steps: 3, scoreFn: score, corrector: 'langevin', snr: 0 }),
    /snr must be > 0/,
  );
});
