// xoshiro128** (Blackman & Vigna): a small, fast 32-bit generator whose whole
// state is seeded from a key of integers, so a stream such as "the shuffle of
// epoch e under seed s" is a pure function of its key and needs no saved state.

const GOLDEN = 0x9e3779b9;

// MurmurHash3's finalizer: a bijection on 32-bit words with full avalanche.
function fmix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

function checkKeyWord(w: number): void {
  if (!Number.isInteger(w) || w < 0 || w > 0xffffffff) {
    throw new RangeError(`PRNG key and state words must be integers in [0, 2^32), got ${w}`);
  }
}

export class Xoshiro128 {
  #s: Uint32Array;

  private constructor(state: Uint32Array) {
    this.#s = state;
  }

  /** A generator whose state is a hash of the key (each word an integer in [0, 2^32)). */
  static fromKey(...key: number[]): Xoshiro128 {
    key.forEach(checkKeyWord);
    // Absorb the key into an accumulator, then derive the four state words from it
    // by counter-mode hashing, so nearby keys give unrelated streams.
    let acc = fmix32(key.length ^ GOLDEN);
    for (const w of key) acc = fmix32((acc ^ w) + GOLDEN);
    const s = new Uint32Array(4);
    for (let i = 0; i < 4; i++) s[i] = fmix32((acc + Math.imul(i + 1, GOLDEN)) >>> 0);
    // The all-zero state is the generator's one fixed point.
    if (s.every((v) => v === 0)) s[0] = 1;
    return new Xoshiro128(s);
  }

  /** A generator with exactly this state (not all zero), e.g. to check against the reference implementation. */
  static fromState(state: readonly [number, number, number, number]): Xoshiro128 {
    state.forEach(checkKeyWord);
    if (state.every((v) => v === 0)) throw new RangeError('xoshiro128** state must not be all zero');
    return new Xoshiro128(Uint32Array.from(state));
  }

  /** The next uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.#s;
    const s0 = s[0] as number;
    const s1 = s[1] as number;
    const s2 = s[2] as number;
    const s3 = s[3] as number;
    const result = Math.imul(rotl(Math.imul(s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (s1 << 9) >>> 0;
    const n2 = s2 ^ s0;
    const n3 = s3 ^ s1;
    s[1] = s1 ^ n2;
    s[0] = s0 ^ n3;
    s[2] = n2 ^ t;
    s[3] = rotl(n3 >>> 0, 11);
    return result;
  }

  /** A uniform integer in [0, n), unbiased (rejection sampling), for 1 <= n <= 2^32. */
  below(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 2 ** 32)
      throw new RangeError(`below(n): n must be an integer in [1, 2^32], got ${n}`);
    // Reject the top partial block of 2^32 so every residue is equally likely.
    const limit = 2 ** 32 - (2 ** 32 % n);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % n;
    }
  }

  /** A uniform float in [0, 1) with 32 random bits. */
  nextFloat(): number {
    return this.nextUint32() / 2 ** 32;
  }
}

/** A uniformly random permutation of 0..n-1 (Fisher-Yates), drawn from rng. */
export function randomPermutation(n: number, rng: Xoshiro128): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.below(i + 1);
    const tmp = p[i] as number;
    p[i] = p[j] as number;
    p[j] = tmp;
  }
  return p;
}
