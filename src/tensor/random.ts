// Seeding and saving libtorch's default generator, so runs and resumes are reproducible.
import { native } from '../binding/native.js';
import { type Tensor, wrap } from './tensor.js';

/** Seeds the CPU generator (and every CUDA generator, when present). */
export function manualSeed(seed: number): void {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be a non-negative integer, got ${seed}`);
  native.manualSeed(seed);
}

/** The CPU generator's full state, a uint8 tensor. */
export function getRngState(): Tensor {
  return wrap(native.getRngState());
}

export function setRngState(state: Tensor): void {
  native.setRngState(state.handle);
}

/**
 * Runs fn with the generator seeded to `seed` (if given) and restores the
 * previous state afterwards, like torch.random.fork_rng: evaluation draws
 * then never disturb a training run's random stream.
 */
export function forkRng<T>(fn: () => T, seed?: number): T {
  const saved = getRngState();
  try {
    if (seed !== undefined) manualSeed(seed);
    return fn();
  } finally {
    setRngState(saved);
    saved.dispose();
  }
}
