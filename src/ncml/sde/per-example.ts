// Per-example times: a coefficient computed from t of shape [B] must scale
// example b of x, so it is viewed as [B, 1, ..., 1].
import { type Tensor, isFloatingPoint } from '../../tensor/index.js';

/** Throws unless t is a floating tensor usable as times (0-d, or [B] to pair with x's batch). */
export function checkTimeTensor(t: Tensor, x?: Tensor): void {
  if (!isFloatingPoint(t.dtype)) throw new TypeError(`SDE: a time tensor must be floating point, got ${t.dtype}`);
  if (x === undefined || t.ndim === 0) return;
  if (t.ndim !== 1 || t.shape[0] !== x.shape[0]) {
    throw new RangeError(
      `SDE: per-example times must have shape [B] = [${x.shape[0]}] to match x of shape [${x.shape}], got [${t.shape}]`,
    );
  }
}

/** coef of shape [] or [B], as a tensor that broadcasts against x of shape [B, ...], in x's dtype. */
export function perExample(coef: Tensor, x: Tensor): Tensor {
  const shaped = coef.ndim === 0 ? coef : coef.reshape([coef.shape[0] ?? 1, ...x.shape.slice(1).map(() => 1)]);
  return isFloatingPoint(x.dtype) ? shaped.to(x.dtype) : shaped;
}
