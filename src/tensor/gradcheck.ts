// Checks autograd's gradients against central finite differences, like
// torch.autograd.gradcheck. Use float64 inputs: float32 differences are too noisy.
import { grad, noGrad } from './autograd.js';
import { randnLike } from './creation.js';
import { scope } from './scope.js';
import type { Tensor } from './tensor.js';

export interface GradcheckOptions {
  eps?: number;
  atol?: number;
  rtol?: number;
}

export class GradcheckError extends Error {}

/**
 * Compares d<w, fn(inputs)>/d(input) from autograd with central differences for
 * every element of every input that requires grad (w random, fixed). Throws a
 * GradcheckError naming the first mismatching element; returns true otherwise.
 */
export function gradcheck(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[], opts: GradcheckOptions = {}): true {
  const eps = opts.eps ?? 1e-6;
  const atol = opts.atol ?? 1e-5;
  const rtol = opts.rtol ?? 1e-3;
  for (const x of inputs) {
    if (x.requiresGrad && x.dtype !== 'float64') {
      throw new GradcheckError(`gradcheck needs float64 inputs, got ${x.dtype}: float32 differences are too noisy`);
    }
  }
  scope(() => {
    const out = fn(...inputs);
    const w = noGrad(() => randnLike(out));
    const objective = (): number =>
      noGrad(() =>
        scope(() =>
          fn(...inputs)
            .mul(w)
            .sum()
            .item(),
        ),
      );
    const diff = inputs.filter((x) => x.requiresGrad);
    const analytic = grad(out.mul(w).sum(), diff, { allowUnused: true });
    diff.forEach((x, k) => {
      const a = analytic[k];
      const flatA = a ? Array.from(a.double().toArray() as Float64Array) : new Array<number>(x.numel()).fill(0);
      const flat = noGrad(() => x.view(-1));
      for (let i = 0; i < x.numel(); i++) {
        const el = noGrad(() => flat.select(0, i));
        const orig = el.item();
        noGrad(() => el.fill_(orig + eps));
        const up = objective();
        noGrad(() => el.fill_(orig - eps));
        const down = objective();
        noGrad(() => el.fill_(orig));
        const numeric = (up - down) / (2 * eps);
        const got = flatA[i] ?? 0;
        if (!(Math.abs(numeric - got) <= atol + rtol * Math.abs(numeric))) {
          throw new GradcheckError(
            `gradient mismatch for input ${inputs.indexOf(x)} element ${i}: autograd ${got}, finite differences ${numeric}`,
          );
        }
      }
    });
  });
  return true;
}
