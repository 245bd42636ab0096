// One batch of images as the OOD statistics see it: the clean images, one
// noise draw z shared by every noise level (x_t = m(t) x + s(t) z, so the
// statistics at different t differ only by t), and the model's likelihoods
// and scores, each computed once per batch however many statistics use it. At
// a t where a score is needed, the likelihood comes from the score's forward
// pass, so a likelihood ratio beside a score norm costs no extra forward.
import { makeBatch } from '../../data/batch.js';
import type { Dataset } from '../../data/dataset.js';
import { logProb, logProbAndScore, type NoisyLikelihoodKind } from '../../models/likelihood.js';
import { modelDevice } from '../../models/device.js';
import type { NCPN } from '../../models/ncpn/ncpn.js';
import type { Sde } from '../../ncml/sde/sde.js';
import { type Tensor, keep, randnLike, scope } from '../../tensor/index.js';

export class OodBatch {
  /** Images in [-1, 1], [B, C, H, W]. */
  readonly x: Tensor;
  /** Class labels for class-conditional models, else null. */
  readonly y: Tensor | null;
  /** The standard normal draw behind every noisy view of this batch. */
  readonly z: Tensor;
  readonly size: number;
  readonly #model: NCPN;
  readonly #sde: Sde;
  readonly #kind: NoisyLikelihoodKind;
  readonly #scoreTimes: ReadonlySet<number>;
  readonly #memo = new Map<string, Tensor>();
  readonly #owned: Tensor[] = [];

  /**
   * The batch of `indices` of `data`; z is drawn from the global generator (seed it around the loop).
   * `scoreTimes`: the noise levels at which some statistic will ask for the score.
   */
  constructor(
    model: NCPN,
    sde: Sde,
    kind: NoisyLikelihoodKind,
    data: Dataset,
    indices: ArrayLike<number>,
    scoreTimes: ReadonlySet<number> = new Set(),
  ) {
    this.#model = model;
    this.#scoreTimes = scoreTimes;
    this.#sde = sde;
    this.#kind = kind;
    this.size = indices.length;
    const device = modelDevice(model);
    const { x, y, z } = scope(() => {
      const b = makeBatch(data, indices, { device });
      return { x: b.x, y: b.y, z: randnLike(b.x) };
    });
    this.x = this.#own(x);
    this.z = this.#own(z);
    this.y = model.config.numClasses !== null ? this.#own(y) : (y.dispose(), null);
  }

  #own(t: Tensor): Tensor {
    keep(t);
    this.#owned.push(t);
    return t;
  }

  #memoized(key: string, make: () => Tensor): Tensor {
    let v = this.#memo.get(key);
    if (v === undefined) {
      v = this.#own(scope(make));
      this.#memo.set(key, v);
    }
    return v;
  }

  /** x_t = m(t) x + s(t) z (x itself at t = 0). */
  noised(t: number): Tensor {
    if (t === 0) return this.x;
    return this.#memoized(`x@${t}`, () => this.x.mul(this.#sde.meanCoeff(t)).add(this.z, this.#sde.std(t)));
  }

  /** log p(x | 0) of each image in nats, [B] (the discretized likelihood of the clean image). */
  logProbClean(): Tensor {
    return this.logProbAt(0);
  }

  /** log p(x_t | t) of each image in nats, [B]. */
  logProbAt(t: number): Tensor {
    if (t > 0 && this.#scoreTimes.has(t)) this.scoreAt(t);
    return this.#memoized(`logp@${t}`, () => logProb(this.#model, this.noised(t), { t, y: this.y, kind: this.#kind }));
  }

  /** grad_x log p(x_t | t), [B, C, H, W]; at t > 0 it also supplies logProbAt(t). */
  scoreAt(t: number): Tensor {
    const key = `score@${t}`;
    const memo = this.#memo.get(key);
    if (memo !== undefined) return memo;
    const { logp, score } = scope(() =>
      logProbAndScore(this.#model, this.noised(t), t, { y: this.y, kind: this.#kind }),
    );
    this.#memo.set(key, this.#own(score));
    // At t = 0 logProbAt is the discretized likelihood, not the score's.
    if (t > 0 && !this.#memo.has(`logp@${t}`)) this.#memo.set(`logp@${t}`, this.#own(logp));
    else logp.dispose();
    return score;
  }

  /** Frees every tensor of the batch. */
  dispose(): void {
    for (const t of this.#owned) t.dispose();
    this.#owned.length = 0;
    this.#memo.clear();
  }
}
