// Learning-rate schedules as pure functions of the step, so a resumed run
// computes exactly the same rate without saved scheduler state.

export type LrSchedule = (step: number) => number;

export function constantLr(lr: number): LrSchedule {
  return () => lr;
}

/** lr * gamma^step: PixelCNN++ decays by 0.999995 every step. */
export function exponentialDecay(lr: number, gamma: number): LrSchedule {
  return (step) => lr * gamma ** step;
}

/** Cosine from lr to minLr over totalSteps, then minLr. */
export function cosineDecay(lr: number, totalSteps: number, minLr = 0): LrSchedule {
  return (step) => minLr + 0.5 * (lr - minLr) * (1 + Math.cos(Math.PI * Math.min(1, step / totalSteps)));
}

/** Ramps linearly from 0 over warmupSteps, then follows the inner schedule (shifted to start at 0). */
export function linearWarmup(inner: LrSchedule, warmupSteps: number): LrSchedule {
  if (warmupSteps <= 0) return inner;
  return (step) => (step < warmupSteps ? (inner(0) * (step + 1)) / warmupSteps : inner(step - warmupSteps));
}
