// The paper's two-phase sampler (Sec. 4.2, Fig. 3): draw x autoregressively
// from p_theta(x | t0) at t0 > 0, where NCML-trained models are robust (the
// noisy sampling phase), then refine it by the reverse diffusion from t0 to 0
// with the model's own score (the score-based refinement phase).
//
// Completion (score-based imputation): the known pixels enter phase 1 as
// their forward-noised version m(t0) x + s(t0) z, are re-noised to the
// current time after every refinement update, and are restored exactly at
// the end.
import type { NoisyLikelihoodKind } from '../models/likelihood.js';
import type { NCPN } from '../models/ncpn/ncpn.js';
import type { Sde } from '../ncml/sde/sde.js';
import { forkRng } from '../tensor/random.js';
import { scope } from '../tensor/scope.js';
import type { Tensor } from '../tensor/tensor.js';
import type { ArStepperFactory } from './ar-impl.js';
import { sampleAutoregressive } from './autoregressive.js';
import { type ClassLabels, classLabels } from './conditioning.js';
import { pixelMask } from './mask.js';
import { type KnownRegion, planRefinement, refine, type RefineOptions } from './refine.js';

export interface TwoPhaseOptions extends Omit<RefineOptions, 'known' | 'scoreFn' | 'seed' | 'onStep'> {
  n: number;
  height: number;
  width: number;
  y?: ClassLabels | null;
  seed?: number;
  /** Likelihood of noisy images: the phase-1 draw and the score (default 'binned'). */
  kind?: NoisyLikelihoodKind;
  /** Clean known pixels for completion. */
  known?: KnownRegion | null;
  batchSize?: number;
  stepper?: ArStepperFactory;
  onRow?: (done: number, total: number) => void;
  onStep?: (done: number, total: number) => void;
}

export interface TwoPhaseSample {
  /** [n, C, H, W] on the 8-bit grid. */
  x: Tensor;
  /** The phase-1 draws at t0, [n, C, H, W] (continuous). */
  noisy: Tensor;
  /** log p_theta(noisy | t0) [n], nats. */
  noisyLogProb: Tensor;
  scoreEvaluations: number;
  seconds: { phase1: number; phase2: number };
}

/** Throws unless the model can be sampled in two phases with these settings. */
export function checkTwoPhase(model: NCPN, sde: Sde, opts: RefineOptions): void {
  if (!model.config.noiseConditioning) {
    throw new RangeError(
      'two-phase sampling needs a noise-conditional model (it samples at t0 > 0); use autoregressive sampling at t = 0',
    );
  }
  planRefinement(sde, opts);
}

export function sampleTwoPhase(model: NCPN, sde: Sde, opts: TwoPhaseOptions): TwoPhaseSample {
  checkTwoPhase(model, sde, opts);
  classLabels(model, opts.y, opts.n);
  const known = opts.known ?? null;
  if (known !== null) pixelMask(known.mask, opts.n, opts.height, opts.width, 'sampleTwoPhase');
  const kind = opts.kind ?? 'binned';
  const run = (): TwoPhaseSample =>
    scope(() => {
      const started = performance.now();
      const init = known === null ? null : sde.perturb(known.x, opts.t0).xt;
      const phase1 = sampleAutoregressive(model, {
        n: opts.n,
        height: opts.height,
        width: opts.width,
        t: opts.t0,
        y: opts.y,
        init,
        mask: known?.mask ?? null,
        kind,
        batchSize: opts.batchSize,
        stepper: opts.stepper,
        onRow: opts.onRow,
      });
      const middle = performance.now();
      const refined = refine(model, sde, phase1.x, {
        t0: opts.t0,
        steps: opts.steps,
        predictor: opts.predictor,
        corrector: opts.corrector,
        snr: opts.snr,
        correctorSteps: opts.correctorSteps,
        denoise: opts.denoise,
        eps: opts.eps,
        quantize: opts.quantize,
        y: opts.y,
        kind,
        known,
        onStep: opts.onStep,
      });
      const ended = performance.now();
      return {
        x: refined.x,
        noisy: phase1.x,
        noisyLogProb: phase1.logProb,
        scoreEvaluations: refined.scoreEvaluations,
        seconds: { phase1: (middle - started) / 1000, phase2: (ended - middle) / 1000 },
      };
    });
  return opts.seed === undefined ? run() : forkRng(run, opts.seed);
}
