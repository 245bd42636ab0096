// Score-based refinement (paper Sec. 4.2, phase 2): solve the reverse
// diffusion from t0 down to 0 with the model's own score, starting from the
// noisy sample the autoregressive phase drew at t0. Predictor-corrector as in
// score_sde: at every grid time the corrector (if any) runs, then the
// predictor steps to the next time; the last step to 0 is Tweedie's
// noise-free denoising (or, with denoise off, the predictor's noise-free
// mean). The result is rounded to the 8-bit grid.
//
// Imputation (completion): with `known`, the known region is replaced by its
// forward-noised version m(t) x + s(t) z after every update at time t (fresh
// z each time, as score_sde's inpainting does), and restored exactly at the end.
import type { NCPN } from '../models/ncpn/ncpn.js';
import type { NoisyLikelihoodKind } from '../models/likelihood.js';
import { quantizeToLevels } from '../ncml/mixture/levels.js';
import type { Sde } from '../ncml/sde/sde.js';
import { noGrad } from '../tensor/autograd.js';
import { where } from '../tensor/ops.js';
import { forkRng } from '../tensor/random.js';
import { scope } from '../tensor/scope.js';
import type { Tensor } from '../tensor/tensor.js';
import { type ClassLabels, classLabels } from './conditioning.js';
import { type Corrector, DEFAULT_SNR, LangevinCorrector } from './correctors.js';
import { tweedieDenoise } from './denoise.js';
import { EulerMaruyamaPredictor, type Predictor, ReverseDiffusionPredictor } from './predictors.js';
import { ProbabilityFlowPredictor } from './probability-flow.js';
import { pixelMask } from './mask.js';
import { modelScoreFn, type ScoreFn } from './score-fn.js';
import { defaultEps, refinementTimes } from './time-grid.js';

export const PREDICTORS = ['euler-maruyama', 'reverse-diffusion', 'probability-flow'] as const;
export type PredictorName = (typeof PREDICTORS)[number];
export const CORRECTORS = ['none', 'langevin'] as const;
export type CorrectorName = (typeof CORRECTORS)[number];

export function makePredictor(name: PredictorName, sde: Sde, scoreFn: ScoreFn): Predictor {
  switch (name) {
    case 'euler-maruyama':
      return new EulerMaruyamaPredictor(sde, scoreFn);
    case 'reverse-diffusion':
      return new ReverseDiffusionPredictor(sde, scoreFn);
    case 'probability-flow':
      return new ProbabilityFlowPredictor(sde, scoreFn);
    default:
      throw new RangeError(`unknown predictor '${String(name)}'; expected one of ${PREDICTORS.join(', ')}`);
  }
}

export function makeCorrector(
  name: CorrectorName,
  sde: Sde,
  scoreFn: ScoreFn,
  opts: { snr?: number; steps?: number } = {},
): Corrector | null {
  switch (name) {
    case 'none':
      return null;
    case 'langevin':
      return new LangevinCorrector(sde, scoreFn, opts);
    default:
      throw new RangeError(`unknown corrector '${String(name)}'; expected one of ${CORRECTORS.join(', ')}`);
  }
}

export interface KnownRegion {
  /** Clean known values [B, C, H, W] in model space. */
  x: Tensor;
  /** 1 where x is known: [H, W] or [1|B, 1, H, W]. */
  mask: Tensor;
}

export interface RefineOptions {
  /** Where the sample sits (the noise level phase 1 drew it at), 0 < t0 <= T. */
  t0: number;
  /** Grid points from t0 to eps; with the final denoising step, the predictor's score evaluations. */
  steps: number;
  predictor?: PredictorName;
  corrector?: CorrectorName;
  /** Langevin signal-to-noise ratio (default 0.16). */
  snr?: number;
  /** Langevin steps per grid time (default 1). */
  correctorSteps?: number;
  /** End with Tweedie's formula from eps to 0 (default true); else with the predictor's noise-free step. */
  denoise?: boolean;
  /** Smallest grid time (default score_sde's: 1e-5 VE, 1e-3 VP and sub-VP). */
  eps?: number;
  /** Round to the 8-bit grid at the end (default true). */
  quantize?: boolean;
  /** Class labels for the model's score. */
  y?: ClassLabels | null;
  /** The likelihood the model's score differentiates (default 'binned'). */
  kind?: NoisyLikelihoodKind;
  /** Replaces the model's score (e.g. a closed form in tests). */
  scoreFn?: ScoreFn;
  known?: KnownRegion | null;
  seed?: number;
  /** Called with 0 at the start, then after every grid step: steps done and steps in all. */
  onStep?: (done: number, total: number) => void;
}

export interface Refined {
  /** [B, C, H, W] at t = 0: on the 8-bit grid (unless quantize is off), known region exact. */
  x: Tensor;
  /** The same before rounding. */
  continuous: Tensor;
  /** Score evaluations per image. */
  scoreEvaluations: number;
}

function checkT0(sde: Sde, t0: number): void {
  if (!(Number.isFinite(t0) && t0 > 0 && t0 <= sde.T)) {
    throw new RangeError(`refinement starts at t0 in (0, T] = (0, ${sde.T}], got ${t0}`);
  }
}

/**
 * Checks the settings (t0 in (0, T], the grid, the predictor and corrector)
 * and returns the grid; the two-phase sampler calls it before phase 1.
 */
export function planRefinement(sde: Sde, opts: RefineOptions): number[] {
  checkT0(sde, opts.t0);
  const times = refinementTimes(opts.t0, opts.eps ?? defaultEps(sde), opts.steps);
  const probe: ScoreFn = (x) => x;
  makePredictor(opts.predictor ?? 'euler-maruyama', sde, probe);
  makeCorrector(opts.corrector ?? 'none', sde, probe, { snr: opts.snr ?? DEFAULT_SNR, steps: opts.correctorSteps });
  return times;
}

/** Refines x (drawn at t0) to a clean image by the reverse diffusion with the model's score (or opts.scoreFn). */
export function refine(model: NCPN | null, sde: Sde, x: Tensor, opts: RefineOptions): Refined {
  const times = planRefinement(sde, opts);
  const n = x.shape[0] as number;
  if (model === null && opts.scoreFn === undefined) throw new TypeError('refine: give a model or a scoreFn');
  const labels = model === null ? null : classLabels(model, opts.y, n);
  const scoreFn = opts.scoreFn ?? modelScoreFn(model as NCPN, { y: labels, kind: opts.kind });
  const predictor = makePredictor(opts.predictor ?? 'euler-maruyama', sde, scoreFn);
  const corrector = makeCorrector(opts.corrector ?? 'none', sde, scoreFn, {
    snr: opts.snr ?? DEFAULT_SNR,
    steps: opts.correctorSteps,
  });
  const denoise = opts.denoise ?? true;
  const known = opts.known ?? null;
  const run = (): Refined =>
    scope(() => {
      const keepMask = known === null ? null : knownMask(known, x);
      // The known region at time t: its forward-noised version (exact at t = 0).
      const impute = (v: Tensor, t: number): Tensor => {
        if (known === null || keepMask === null) return v;
        const noisy = t === 0 ? known.x.to(v.dtype) : sde.perturb(known.x.to(v.dtype), t).xt;
        return where(keepMask, noisy, v);
      };
      let current = x;
      let evaluations = 0;
      const total = times.length - 1;
      opts.onStep?.(0, total);
      for (let k = 0; k < total; k++) {
        const t = times[k] as number;
        const tNext = times[k + 1] as number;
        const last = k === total - 1;
        const prev = current;
        current = noGrad(() =>
          scope(() => {
            let v = prev;
            if (corrector !== null) v = impute(corrector.updateFn(v, t, tNext).x, t);
            if (last && denoise) v = tweedieDenoise(sde, scoreFn, v, t);
            else {
              const update = predictor.updateFn(v, t, tNext);
              v = last ? update.xMean : update.x;
            }
            return impute(v, tNext);
          }),
        );
        if (prev !== x) prev.dispose();
        evaluations += (corrector?.scoreEvaluations ?? 0) + (last && denoise ? 1 : predictor.scoreEvaluations);
        opts.onStep?.(k + 1, total);
      }
      const rounded = (opts.quantize ?? true) ? quantizeToLevels(current) : current;
      return { x: impute(rounded, 0), continuous: current, scoreEvaluations: evaluations };
    });
  return opts.seed === undefined ? run() : forkRng(run, opts.seed);
}

function knownMask(known: KnownRegion, x: Tensor): Tensor {
  if (known.x.shape.join() !== x.shape.join()) {
    throw new RangeError(`refine: known.x must be [${x.shape.join(', ')}] like x, got [${known.x.shape.join(', ')}]`);
  }
  const [n, , h, w] = x.shape as [number, number, number, number];
  return pixelMask(known.mask, n, h, w, 'refine');
}
