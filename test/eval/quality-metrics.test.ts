import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  featureMoments,
  fid,
  frechetDistance,
  kid,
  mmd2Unbiased,
  polynomialKernel,
  sqrtmPsd,
  trace,
} from '../../src/eval/quality/index.js';
import { type Tensor, manualSeed, randn, scope, tensor } from '../../src/tensor/index.js';
import { assertClose } from '../helpers.js';

const f64 = (rows: number[][]) => tensor(rows, { dtype: 'float64' });

/** n samples of N(mean, L L^T), float64 [n, d]. */
function gaussian(n: number, mean: number[], chol: number[][]): Tensor {
  return scope(() =>
    randn([n, mean.length], { dtype: 'float64' })
      .matmul(f64(chol).t())
      .add(tensor(mean, { dtype: 'float64' })),
  );
}

test('the symmetric square root squares back to the matrix', () => {
  scope(() => {
    const a = f64([
      [4, 1, 0.5],
      [1, 3, 0.2],
      [0.5, 0.2, 2],
    ]);
    const r = sqrtmPsd(a);
    assertClose(r.matmul(r).flatten(), Array.from(a.flatten().toArray() as Float64Array), 1e-12);
    assert.equal(trace(a), 9);
  });
});

test('FID of a set with itself is 0', () => {
  manualSeed(1);
  scope(() => {
    const a = gaussian(
      500,
      [1, -2, 0.5, 3],
      [
        [1, 0, 0, 0],
        [0.8, 0.6, 0, 0],
        [0.1, -0.3, 0.9, 0],
        [0.5, 0.5, 0.5, 0.1],
      ],
    );
    assert.ok(Math.abs(fid(a, a)) < 1e-6, `${fid(a, a)}`);
  });
});

test('the Frechet distance of two Gaussians equals the closed form (non-commuting 2x2 covariances)', () => {
  // For 2x2 SPD matrices, Tr sqrt(S1^1/2 S2 S1^1/2) = sqrt(tr(S1 S2) + 2 sqrt(det(S1 S2))),
  // since the eigenvalues of S1 S2 are those of S1^1/2 S2 S1^1/2.
  const s1 = [
    [2, 0.7],
    [0.7, 1],
  ];
  const s2 = [
    [1, -0.4],
    [-0.4, 3],
  ];
  const trProd = s1[0]![0]! * s2[0]![0]! + s1[0]![1]! * s2[1]![0]! + s1[1]![0]! * s2[0]![1]! + s1[1]![1]! * s2[1]![1]!;
  const det = (m: number[][]) => m[0]![0]! * m[1]![1]! - m[0]![1]! * m[1]![0]!;
  const cross = Math.sqrt(trProd + 2 * Math.sqrt(det(s1) * det(s2)));
  const mu1 = [0.5, -1];
  const mu2 = [2, 1];
  const expected = (0.5 - 2) ** 2 + (-1 - 1) ** 2 + 3 + 4 - 2 * cross;
  scope(() => {
    const got = frechetDistance(tensor(mu1, { dtype: 'float64' }), f64(s1), tensor(mu2, { dtype: 'float64' }), f64(s2));
    assertClose(got, expected, 1e-10);
  });
});

test('diagonal covariances: ||mu1 - mu2||^2 + sum (sqrt a - sqrt b)^2', () => {
  const a = [1, 4, 0.25, 9];
  const b = [2, 1, 0.25, 16];
  const diag = (v: number[]) => v.map((x, i) => v.map((_, j) => (i === j ? x : 0)));
  const expected = 1 + a.reduce((s, x, i) => s + (Math.sqrt(x) - Math.sqrt(b[i]!)) ** 2, 0);
  scope(() =>
    assertClose(
      frechetDistance(
        tensor([0, 0, 0, 1], { dtype: 'float64' }),
        f64(diag(a)),
        tensor([0, 0, 0, 0], { dtype: 'float64' }),
        f64(diag(b)),
      ),
      expected,
      1e-10,
    ),
  );
});

test('FID of large samples of two Gaussians approaches the closed form', () => {
  manualSeed(2);
  const chol1 = [
    [1, 0],
    [0.6, 0.8],
  ];
  const chol2 = [
    [1.5, 0],
    [-0.5, 0.7],
  ];
  const cov = (l: number[][]) => [
    [l[0]![0]! ** 2, l[0]![0]! * l[1]![0]!],
    [l[0]![0]! * l[1]![0]!, l[1]![0]! ** 2 + l[1]![1]! ** 2],
  ];
  scope(() => {
    const exact = frechetDistance(
      tensor([0, 0], { dtype: 'float64' }),
      f64(cov(chol1)),
      tensor([1, 0.5], { dtype: 'float64' }),
      f64(cov(chol2)),
    );
    const a = gaussian(40000, [0, 0], chol1);
    const b = gaussian(40000, [1, 0.5], chol2);
    const m = featureMoments(a);
    assertClose(m.cov.flatten(), cov(chol1).flat(), 0.03);
    assertClose(fid(a, b), exact, 0.03);
  });
});

test('the polynomial kernel and the unbiased MMD on hand-computed cases', () => {
  scope(() => {
    // (x.y / d + 1)^3 with x = (1, 2), y = (3, 4), d = 2: (11 / 2 + 1)^3.
    assertClose(polynomialKernel(f64([[1, 2]]), f64([[3, 4]])), [6.5 ** 3], 1e-9);
    // d = 1, x = {0, 1}, y = {2, 3}: k(a, b) = (ab + 1)^3.
    const k = (a: number, b: number) => (a * b + 1) ** 3;
    const expected = (2 * k(0, 1)) / 2 + (2 * k(2, 3)) / 2 - (2 * (k(0, 2) + k(0, 3) + k(1, 2) + k(1, 3))) / 4;
    assertClose(mmd2Unbiased(f64([[0], [1]]), f64([[2], [3]])), expected, 1e-9);
  });
});

test('the unbiased MMD of two samples of one distribution averages 0; the biased one does not', () => {
  manualSeed(3);
  const unbiased: number[] = [];
  const biased: number[] = [];
  const chol = [
    [1, 0, 0],
    [0.5, 1, 0],
    [0, 0.3, 0.5],
  ];
  for (let r = 0; r < 60; r++) {
    scope(() => {
      const x = gaussian(40, [0.5, 0, 1], chol);
      const y = gaussian(40, [0.5, 0, 1], chol);
      const u = mmd2Unbiased(x, y);
      unbiased.push(u);
      // The V-statistic keeps k(x_i, x_i): sum over all pairs / m^2.
      const v = polynomialKernel(x, x)
        .mean()
        .add(polynomialKernel(y, y).mean())
        .sub(polynomialKernel(x, y).mean().mul(2));
      biased.push(v.item());
    });
  }
  const meanSe = (v: number[]) => {
    const m = v.reduce((a, b) => a + b, 0) / v.length;
    const sd = Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1));
    return { m, se: sd / Math.sqrt(v.length) };
  };
  const u = meanSe(unbiased);
  const b = meanSe(biased);
  assert.ok(Math.abs(u.m) < 3 * u.se, `unbiased mean ${u.m} +- ${u.se}`);
  assert.ok(b.m > 5 * b.se, `biased mean ${b.m} +- ${b.se}`);
});

test('KID: about 0 for one distribution, clearly positive for two; seeded subsets', () => {
  manualSeed(4);
  scope(() => {
    const chol = [
      [1, 0],
      [0.3, 0.9],
    ];
    const a = gaussian(1000, [0, 0], chol);
    const b = gaussian(1000, [0, 0], chol);
    const c = gaussian(1000, [1, 0], chol);
    const same = kid(a, b, { subsets: 20, subsetSize: 200, seed: 1 });
    const other = kid(a, c, { subsets: 20, subsetSize: 200, seed: 1 });
    assert.equal(same.subsetSize, 200);
    assert.ok(Math.abs(same.mean) < 3 * same.std, JSON.stringify(same));
    assert.ok(other.mean > 10 * Math.abs(same.mean) && other.mean > 3 * other.std, JSON.stringify({ same, other }));
    assert.deepEqual(kid(a, b, { subsets: 20, subsetSize: 200, seed: 1 }), same);
    assert.equal(kid(a, b, { subsets: 5, subsetSize: 5000 }).subsetSize, 1000);
    assert.throws(
      () =>
        fid(
          a,
          gaussian(
            10,
            [0, 0, 0],
            [
              [1, 0, 0],
              [0, 1, 0],
              [0, 0, 1],
            ],
          ),
        ),
      /feature widths differ: 2 vs 3/,
    );
  });
});
