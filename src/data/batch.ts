// Turns a list of examples into tensors: the rows are gathered into one
// Uint8Array and copied to libtorch once, then scaled there.
import { type Device, type Tensor, fromTypedArray, scope } from '../tensor/index.js';
import { type Dataset, gatherImages } from './dataset.js';

/**
 * One batch. The caller owns the tensors: dispose them (or make the batch
 * inside `scope`) when done with them.
 */
export interface Batch {
  /** float32 [B, C, H, W] in [-1, 1]: (v - 127.5) / 127.5. */
  x: Tensor;
  /** int64 [B] labels. */
  y: Tensor;
  /** uint8 [B, C, H, W], the raw bytes of x; only when asked for (`uint8: true`). */
  xUint8?: Tensor;
  /** Which dataset examples the batch holds, in order. */
  indices: Int32Array;
}

export interface BatchOptions {
  /** Also return the uint8 images (e.g. for bit-level perturbations). */
  uint8?: boolean;
  device?: Device;
}

/** The batch of the given examples. */
export function makeBatch(ds: Dataset, indices: ArrayLike<number>, opts: BatchOptions = {}): Batch {
  const n = indices.length;
  const bytes = gatherImages(ds, indices);
  const labels = new BigInt64Array(n);
  for (let k = 0; k < n; k++) labels[k] = BigInt(ds.labels[indices[k] as number] as number);
  const tensors = scope(() => {
    const xUint8 = fromTypedArray(bytes, [n, ds.channels, ds.height, ds.width], { device: opts.device });
    const x = xUint8.float().sub(127.5).div(127.5);
    const y = fromTypedArray(labels, [n], { device: opts.device });
    return opts.uint8 ? { x, y, xUint8 } : { x, y };
  });
  return { ...tensors, indices: Int32Array.from(indices) };
}
