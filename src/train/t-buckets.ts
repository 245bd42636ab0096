// Training loss per noise-level bucket: t = 0 on its own, then (0, T] in equal
// parts, so a run shows how well each noise level is fitted, not only the mean.

export class TBucketStats {
  readonly T: number;
  readonly parts: number;
  #sum: Float64Array;
  #count: Float64Array;

  constructor(T: number, parts = 4) {
    this.T = T;
    this.parts = parts;
    this.#sum = new Float64Array(parts + 1);
    this.#count = new Float64Array(parts + 1);
  }

  /** Bucket names: "t=0", then "(0,T/4]" and so on with numbers. */
  get names(): string[] {
    const edge = (k: number) => Number(((k * this.T) / this.parts).toPrecision(3));
    return ['t=0', ...Array.from({ length: this.parts }, (_, k) => `(${edge(k)},${edge(k + 1)}]`)];
  }

  bucketOf(t: number): number {
    if (t <= 0) return 0;
    return 1 + Math.min(this.parts - 1, Math.floor((t / this.T) * this.parts - 1e-12));
  }

  add(t: ArrayLike<number>, bitsPerDim: ArrayLike<number>): void {
    for (let i = 0; i < t.length; i++) {
      const b = this.bucketOf(t[i] as number);
      this.#sum[b] = (this.#sum[b] as number) + (bitsPerDim[i] as number);
      this.#count[b] = (this.#count[b] as number) + 1;
    }
  }

  /** Mean bits/dim of each non-empty bucket since the last call, then starts over. */
  takeMeans(): Record<string, number> {
    const names = this.names;
    const out: Record<string, number> = {};
    for (let b = 0; b <= this.parts; b++) {
      const n = this.#count[b] as number;
      if (n > 0) out[names[b] as string] = (this.#sum[b] as number) / n;
    }
    this.#sum.fill(0);
    this.#count.fill(0);
    return out;
  }
}
