// Counts the multiply-add work of convolutions, linear layers and matrix
// products (nn.functional and Tensor.matmul report theirs) while a function runs (2 FLOPs per multiply-add), for reporting
// achieved GF/s. Elementwise work is not counted.

let counter: { flops: number } | null = null;

/** Runs fn and returns the FLOPs its convolutions, linear layers and matmuls did. */
export function countFlops(fn: () => void): number {
  const outer = counter;
  counter = { flops: 0 };
  try {
    fn();
    return counter.flops;
  } finally {
    const inner = counter.flops;
    counter = outer;
    if (counter) counter.flops += inner;
  }
}

/** Called by the layers: adds multiplyAdds * 2 when counting. */
export function addFlops(multiplyAdds: number): void {
  if (counter) counter.flops += 2 * multiplyAdds;
}

export function isCountingFlops(): boolean {
  return counter !== null;
}
