// Log of the probability a logistic distribution gives to one 8-bit bin,
// elementwise with broadcasting.
//
// For a bin [x - h, x + h] (h = 1/255), plus = (x - mean + h)/s, minus = (x - mean - h)/s:
//   sigmoid(plus) - sigmoid(minus) = sigmoid(plus) sigmoid(-minus) (1 - e^-(plus - minus)),
// so log mass = logsigmoid(plus) + logsigmoid(-minus) + log(1 - e^-delta), delta = 2h/s.
// Every term is computed without cancellation: the two log-sigmoids never
// saturate to log(0), and delta comes straight from the scale. So the result is
// as accurate as its inputs allow, in far tails and for x far outside [-1, 1]
// too, where the naive sigmoid difference rounds to 0. (In float32 the rounding
// of x - mean, ~6e-8, over s = e^-7 still moves bin edges by ~1e-4 scales: the
// 256 masses then sum to 1 within ~1e-5; in float64 within ~1e-14.)
import { logSigmoid } from '../../nn/functional.js';
import { type Tensor, where } from '../../tensor/index.js';
import { BIN_WIDTH, EDGE, HALF_BIN } from './levels.js';
import { logisticLogDensity } from './logistic-density.js';

/**
 * How bins of tiny probability are scored.
 * - 'exact': the closed form above everywhere (no fallback is needed for stability).
 * - 'pixelcnn++': as the original, bins with mass below 1e-5 are scored by the
 *   density at the bin centre times the bin width. That approximation is poor
 *   when s is small against the bin (it can lose ~1.5e-5 of the mass of a
 *   subpixel at log s near -7), so use it only to reproduce published numbers.
 */
export type TinyBinRule = 'exact' | 'pixelcnn++';

export interface BinMassOptions {
  /** Levels 0 and 255 take the tails (x < -0.999, x > 0.999), as in the discretized likelihood. */
  edges: boolean;
  tinyBin?: TinyBinRule;
}

const TINY_BIN_MASS = 1e-5;
// Below this delta, log(1 - e^-delta) = log(delta) - delta/2 to within delta^2/24.
const SMALL_DELTA = 1e-4;

/**
 * log(1 - e^-delta) for delta = BIN_WIDTH / s > 0, given log s. Both branches of the
 * `where` are finite with finite gradients everywhere (the expm1 argument is
 * clamped), so the unselected one cannot poison the backward pass.
 */
function logOneMinusExpNeg(delta: Tensor, logScale: Tensor): Tensor {
  const series = logScale.rsub(Math.log(BIN_WIDTH)).sub(delta.mul(0.5));
  const direct = delta.clampMin(SMALL_DELTA).neg().expm1().neg().log();
  return where(delta.lt(SMALL_DELTA), series, direct);
}

export function logisticBinLogMass(x: Tensor, mean: Tensor, logScale: Tensor, opts: BinMassOptions): Tensor {
  const invScale = logScale.neg().exp();
  const centred = x.sub(mean);
  const logCdfPlus = logSigmoid(centred.add(HALF_BIN).mul(invScale));
  const logSurvivalMinus = logSigmoid(centred.sub(HALF_BIN).mul(invScale).neg());
  let middle = logCdfPlus.add(logSurvivalMinus).add(logOneMinusExpNeg(invScale.mul(BIN_WIDTH), logScale));
  if ((opts.tinyBin ?? 'exact') === 'pixelcnn++') {
    const densityTimesWidth = logisticLogDensity(x, mean, logScale).add(Math.log(BIN_WIDTH));
    middle = where(middle.gt(Math.log(TINY_BIN_MASS)), middle, densityTimesWidth);
  }
  if (!opts.edges) return middle;
  return where(x.lt(-EDGE), logCdfPlus, where(x.gt(EDGE), logSurvivalMinus, middle));
}
