// The linear noise schedule shared by VP and sub-VP:
// beta(t) = betaMin + t (betaMax - betaMin), and half its negated integral,
// L(t) = -t^2 (betaMax - betaMin) / 4 - t betaMin / 2, so that m(t) = e^L.
import type { Tensor } from '../../tensor/index.js';

export interface BetaSchedule {
  betaMin: number;
  betaMax: number;
}

export function beta(t: Tensor, { betaMin, betaMax }: BetaSchedule): Tensor {
  return t.mul(betaMax - betaMin).add(betaMin);
}

/** L(t) = log m(t). */
export function logMeanCoeff(t: Tensor, { betaMin, betaMax }: BetaSchedule): Tensor {
  return t.mul(t.mul(-(betaMax - betaMin) / 4).sub(betaMin / 2));
}

/** Throws unless 0 <= betaMin <= betaMax and betaMax > 0. */
export function checkBetaSchedule(kind: string, { betaMin, betaMax }: BetaSchedule): void {
  if (!(Number.isFinite(betaMin) && Number.isFinite(betaMax) && betaMin >= 0 && betaMax >= betaMin && betaMax > 0)) {
    throw new RangeError(
      `${kind} SDE: need finite 0 <= betaMin <= betaMax with betaMax > 0, got betaMin ${betaMin}, betaMax ${betaMax}`,
    );
  }
}
