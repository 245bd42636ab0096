import type { Parameter } from '../nn/parameter.js';
import { noGrad } from '../tensor/autograd.js';
import { stack } from '../tensor/ops.js';
import { scope } from '../tensor/scope.js';

/**
 * Scales gradients in place so their global L2 norm is at most maxNorm (like
 * torch.nn.utils.clip_grad_norm_) and returns the norm before clipping. A
 * non-finite norm is returned unchanged and nothing is scaled, so the caller
 * can skip the step.
 */
export function clipGradNorm_(params: Iterable<Parameter>, maxNorm: number): number {
  return noGrad(() =>
    scope(() => {
      const grads = [...params].map((p) => p.grad).filter((g) => g !== null);
      if (grads.length === 0) return 0;
      const total = stack(grads.map((g) => g.norm(2)))
        .norm(2)
        .item();
      if (!Number.isFinite(total)) return total;
      const scale = maxNorm / (total + 1e-6);
      if (scale < 1) for (const g of grads) g.mul_(scale);
      return total;
    }),
  );
}

/** The global L2 norm of the gradients (Infinity or NaN if any is not finite). */
export function gradNorm(params: Iterable<Parameter>): number {
  return clipGradNorm_(params, Infinity);
}
