// Loss functions (torch.nn.functional's), reduced by mean.
import type { Tensor } from '../tensor/tensor.js';
import { logSoftmax } from './functional.js';

/** Mean negative log-likelihood of int64 class targets under logits [N, classes]. */
export function crossEntropy(logits: Tensor, target: Tensor): Tensor {
  return logSoftmax(logits, 1).gather(1, target.unsqueeze(1)).mean().neg();
}

export function mseLoss(input: Tensor, target: Tensor): Tensor {
  return input.sub(target).square().mean();
}
