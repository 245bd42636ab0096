// The model's likelihood and its score: the one place where "log p_theta(x | t)"
// is computed. Training, evaluation and sampling all call these.
//
// - t = 0: the discretized likelihood of the clean 8-bit image (PixelCNN++).
// - t > 0: the likelihood of the noisy image, 'binned' (default) or
//   'continuous' (see ncml/mixture/likelihood-kind.ts).
// A [B] tensor t mixes both per example, as the NCML objective needs.
import { bitsPerDim as natsToBitsPerDim, dimsPerImage } from '../ncml/mixture/bits-per-dim.js';
import { mixtureLogProb } from '../ncml/mixture/log-prob.js';
import type { LikelihoodKind } from '../ncml/mixture/likelihood-kind.js';
import type { Time } from '../ncml/sde/sde.js';
import { autocast } from '../tensor/autocast.js';
import { enableGrad, grad } from '../tensor/autograd.js';
import { full } from '../tensor/creation.js';
import type { Device } from '../tensor/dtype.js';
import { where } from '../tensor/ops.js';
import { scope } from '../tensor/scope.js';
import type { Tensor } from '../tensor/tensor.js';
import type { NCPN } from './ncpn/ncpn.js';

/** Likelihood of noisy inputs (t > 0); t = 0 always uses the discretized one. */
export type NoisyLikelihoodKind = Exclude<LikelihoodKind, 'discretized'>;

export interface LikelihoodOptions {
  /** Noise level: one number for the batch or a [B] tensor (default 0, clean data). */
  t?: Time;
  /** Class labels [B] (int64) for class-conditional models. */
  y?: Tensor | null;
  /** Likelihood of the examples with t > 0 (default 'binned'). */
  kind?: NoisyLikelihoodKind;
}

/** t as a [B] tensor on x's device, in x's precision (float32 for 16-bit inputs). */
function timeTensor(t: Time, x: Tensor): Tensor {
  const batch = x.shape[0] as number;
  const dtype = x.dtype === 'float64' ? 'float64' : 'float32';
  if (typeof t === 'number') return full([batch], t, { dtype, device: x.device as Device });
  if (t.ndim === 0) return t.expand([batch]);
  if (t.ndim !== 1 || t.shape[0] !== batch) {
    throw new RangeError(`likelihood: t must be a number or a [B] = [${batch}] tensor, got [${t.shape.join(', ')}]`);
  }
  return t;
}

/** Which likelihoods a batch needs: the clean one, the noisy one, or both (mixed per example). */
function needed(t: Time): { clean: boolean; noisy: boolean } {
  if (typeof t === 'number') {
    if (!(Number.isFinite(t) && t >= 0)) throw new RangeError(`likelihood: t must be a number >= 0, got ${t}`);
    return { clean: t === 0, noisy: t > 0 };
  }
  const [min, max] = scope(() => [t.min().item(), t.max().item()]);
  if (!(min >= 0)) throw new RangeError(`likelihood: every t must be >= 0, got ${min}`);
  return { clean: min === 0, noisy: max > 0 };
}

/**
 * log p_theta(x | t) of each image in nats, [B], from mixture parameters the
 * model already produced for x (the sampler and the objective reuse them).
 */
export function logProbFromParams(
  params: Tensor,
  x: Tensor,
  t: Time,
  channels: 1 | 3,
  kind: NoisyLikelihoodKind = 'binned',
): Tensor {
  return scope(() => {
    const { clean, noisy } = needed(t);
    const nats = (k: LikelihoodKind) => mixtureLogProb(params, x, { kind: k, channels });
    if (clean && noisy) return where((t as Tensor).eq(0), nats('discretized'), nats(kind));
    return nats(clean ? 'discretized' : kind);
  });
}

/** log p_theta(x | t) of each image in nats, [B]. x: [B, C, H, W] in [-1, 1] (clean on the 8-bit grid at t = 0). */
export function logProb(model: NCPN, x: Tensor, opts: LikelihoodOptions = {}): Tensor {
  const t = opts.t ?? 0;
  return scope(() => {
    const tt = timeTensor(t, x);
    const params = model.forward(x, { t: tt, y: opts.y ?? null });
    return logProbFromParams(params, x, t, model.config.channels, opts.kind);
  });
}

/** Nats per image [B] -> bits per subpixel [B]: -logp / (C H W ln 2). */
export function toBitsPerDim(logp: Tensor, x: Tensor): Tensor {
  return natsToBitsPerDim(logp, dimsPerImage(x));
}

/** -log p_theta(x | t) in bits/dim of each image, [B]. */
export function bitsPerDim(model: NCPN, x: Tensor, opts: LikelihoodOptions = {}): Tensor {
  return scope(() => toBitsPerDim(logProb(model, x, opts), x));
}

export interface ScoreOptions {
  y?: Tensor | null;
  /** The likelihood differentiated (default 'binned'; used at every t, including 0). */
  kind?: NoisyLikelihoodKind;
}

/**
 * The model's score grad_x log p_theta(x_t | t), by backpropagation through the
 * network: same shape as x_t, in x_t's floating dtype (float32 for float32
 * models; autocast is off so the gradient is not rounded to bf16). Records a
 * graph even when called inside noGrad (as score_sde's likelihood.py does with
 * enable_grad) and leaves no gradient on the parameters.
 */
export function score(model: NCPN, xt: Tensor, t: Time, opts: ScoreOptions = {}): Tensor {
  return scope(() => logProbAndScore(model, xt, t, opts).score);
}

/**
 * log p_theta(x_t | t) in nats, [B], and the score, from one forward and one
 * backward pass: for callers that need both (OOD detection scores a batch's
 * likelihood ratio and score norm at the same t). Both detached, in float32
 * for float32 models; the likelihood is `kind`'s at every t, as in score().
 */
export function logProbAndScore(
  model: NCPN,
  xt: Tensor,
  t: Time,
  opts: ScoreOptions = {},
): { logp: Tensor; score: Tensor } {
  const kind = opts.kind ?? 'binned';
  return scope(() =>
    enableGrad(() =>
      autocast(
        () => {
          const x = xt.detach().requiresGrad_(true);
          const tt = timeTensor(t, x);
          const params = model.forward(x, { t: tt, y: opts.y ?? null });
          const logp = mixtureLogProb(params, x, { kind, channels: model.config.channels });
          const [g] = grad(logp.sum(), x);
          return { logp: logp.detach(), score: (g as Tensor).detach() };
        },
        { enabled: false },
      ),
    ),
  );
}
