// Mixed precision on CPU: inside `autocast`, libtorch runs convolutions and
// matrix products in bfloat16 (AMX/AVX-512 BF16 through oneDNN) while
// reductions, norms and the likelihood stay float32.
import { native } from '../binding/native.js';
import { dtypeCode } from './dtype.js';

export interface AutocastOptions {
  enabled?: boolean;
  dtype?: 'bfloat16';
}

export function autocast<T>(fn: () => T, opts: AutocastOptions = {}): T {
  const enabled = opts.enabled ?? true;
  const prev = native.setAutocast(enabled, dtypeCode(opts.dtype ?? 'bfloat16'));
  try {
    const result = fn();
    if (result instanceof Promise) throw new TypeError('autocast cannot span an await');
    return result;
  } finally {
    native.setAutocast(prev);
  }
}

export function isAutocastEnabled(): boolean {
  return native.isAutocast();
}
