// Seeding and saving libtorch's default generator, so runs and resumes are reproducible.
import { native } from '../binding/native.js';
import { type Tensor, wrap } from './tensor.js';

/** Seeds the CPU generator (and every CUDA generator, when present). */
export function manualSeed(seed: number): void {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be a non-negative integer, got ${seed}`);
  native.manualSeed(seed);
}

/** A device's default generator's full state, a uint8 tensor (the CPU's by default). */
export function getRngState(device: string = 'cpu'): Tensor {
  return wrap(native.getRngState(device));
}

export function setRngState(state: Tensor, device: string = 'cpu'): void {
  native.setRngState(state.handle, device);
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
