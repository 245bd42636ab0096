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
