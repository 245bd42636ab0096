// What a sampler feeds the model besides the image: the noise level t and the
// class labels y, as [B] tensors beside the model, checked against what the
// model was trained to take.
import { modelDevice } from '../models/device.js';
import type { NCPN } from '../models/ncpn/ncpn.js';
import { full, tensor } from '../tensor/creation.js';
import type { DType } from '../tensor/dtype.js';
import { scope } from '../tensor/scope.js';
import { Tensor } from '../tensor/tensor.js';

/** Class labels as callers give them: one class for every image, one per image, or a [B] int64 tensor. */
export type ClassLabels = number | readonly number[] | Tensor;

/** The floating dtype of the model's parameters (float32, or float64 for a model moved there). */
export function modelDtype(model: NCPN): DType {
  const dtype = model.parameters()[0]?.dtype ?? 'float32';
  return dtype === 'float64' ? 'float64' : 'float32';
}

/** Throws unless the model can be asked for p(x | t). */
export function checkNoiseLevel(model: NCPN, t: number): void {
  if (!(Number.isFinite(t) && t >= 0)) throw new RangeError(`sampling: t must be a number >= 0, got ${t}`);
  if (!model.config.noiseConditioning && t !== 0) {
    throw new RangeError(`sampling: this model has no noise conditioning, so it samples only at t = 0, got t = ${t}`);
  }
}

/** t for every image, [n] in the model's dtype; null for a model without noise conditioning (t must then be 0). */
export function noiseLevels(model: NCPN, t: number, n: number): Tensor | null {
  checkNoiseLevel(model, t);
  if (!model.config.noiseConditioning) return null;
  return full([n], t, { dtype: modelDtype(model), device: modelDevice(model) });
}

/** Checks labels against the model (a class-conditional model needs them, an unconditional one refuses them); [n] int64 or null. */
export function classLabels(model: NCPN, y: ClassLabels | null | undefined, n: number): Tensor | null {
  const classes = model.config.numClasses;
  if (y === null || y === undefined) {
    if (classes !== null) {
      throw new TypeError(
        `sampling: this model is class-conditional (${classes} classes): give a class for the samples`,
      );
    }
    return null;
  }
  if (classes === null) throw new TypeError('sampling: this model is unconditional: it takes no class');
  const list = y instanceof Tensor ? null : typeof y === 'number' ? new Array<number>(n).fill(y) : [...y];
  if (list !== null) {
    if (list.length !== n) throw new RangeError(`sampling: ${list.length} class labels for ${n} images`);
    const bad = list.find((c) => !Number.isInteger(c) || c < 0 || c >= classes);
    if (bad !== undefined) throw new RangeError(`sampling: class ${bad} is not in 0..${classes - 1}`);
    return tensor(list, { dtype: 'int64', device: modelDevice(model) });
  }
  const labels = y as Tensor;
  if (labels.ndim !== 1 || labels.shape[0] !== n || labels.dtype !== 'int64') {
    throw new RangeError(
      `sampling: class labels must be an int64 [${n}] tensor, got ${labels.dtype} [${labels.shape.join(', ')}]`,
    );
  }
  const [lo, hi] = scope(() => [labels.min().item(), labels.max().item()]);
  if (lo < 0 || hi >= classes)
    throw new RangeError(`sampling: class labels must be in 0..${classes - 1}, got ${lo}..${hi}`);
  return labels;
}
