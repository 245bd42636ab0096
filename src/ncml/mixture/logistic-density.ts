// Log-density of a logistic distribution, elementwise with broadcasting.
import { logSigmoid } from '../../nn/functional.js';
import type { Tensor } from '../../tensor/index.js';

/**
 * log p(x) for Logistic(mean, s = e^logScale):
 * mid - log s - 2 softplus(mid) = log sigmoid(mid) + log sigmoid(-mid) - log s,
 * mid = (x - mean) / s. Written with two log-sigmoids so no term overflows.
 */
export function logisticLogDensity(x: Tensor, mean: Tensor, logScale: Tensor): Tensor {
  const mid = x.sub(mean).mul(logScale.neg().exp());
  return logSigmoid(mid).add(logSigmoid(mid.neg())).sub(logScale);
}
