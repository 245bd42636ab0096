// Parameters (trainable leaves) and buffers (saved, not trained). Both are
// long-lived: no scope disposes them; their module owns them.
import { native } from '../binding/native.js';
import { aten } from '../tensor/aten.js';
import { keep } from '../tensor/scope.js';
import { Tensor } from '../tensor/tensor.js';

/** A fresh leaf handle sharing data's storage, outside autograd history. */
function detachedHandle(data: Tensor) {
  return native.call(aten.detach, data.handle) as Tensor['handle'];
}

/** A trainable tensor: a leaf that requires grad. Wrapping does not copy data. */
export class Parameter extends Tensor {
  constructor(data: Tensor, requiresGrad = true) {
    super(detachedHandle(data));
    keep(this);
    native.setRequiresGrad(this.handle, requiresGrad);
  }
}

/** A tensor that belongs to a module's state (saved and loaded) but is not trained. */
export class Buffer extends Tensor {
  constructor(data: Tensor) {
    super(detachedHandle(data));
    keep(this);
  }
}
