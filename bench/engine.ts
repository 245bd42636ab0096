// Engine benchmark: per-op overhead through the TypeScript API, conv2d and
// matmul throughput, each against PyTorch (Python, same libtorch, same threads)
// measured in the same run, alternating rounds and keeping each side's best.
// Run: npm run bench:engine
import { native } from '../src/binding/native.js';
import { aten } from '../src/tensor/aten.js';
import { conv2d } from '../src/nn/functional.js';
import { engineInfo, getNumThreads, ones, onesLike, randn, scope, type Tensor } from '../src/tensor/index.js';
import { fmt, runPythonBench, table, timeit } from './harness.js';

const threads = getNumThreads();
const info = engineInfo();
console.log(
  `# engine benchmark: libtorch ${info.torchVersion} (${info.source}), ${threads} threads, CPU kernels ${info.cpuCapability}`,
);

const ROUNDS = 5;
const N = 32,
  C = 128,
  H = 32,
  W = 32;
const convFlops = 2 * N * C * H * W * C * 9;
const matmulFlops = 2 * 2048 ** 3;

/** One round of every workload; seconds per call. */
function measureOurs(): Record<string, number> {
  const r: Record<string, number> = {};
  // Per-op overhead: a one-element add, disposed each time, through each layer.
  const one = ones([1]);
  r.tiny_add_native = timeit(() =>
    native.dispose(native.call(aten.add, one.handle, one.handle) as Tensor['handle']),
  ).seconds;
  r.tiny_add = timeit(() => one.add(one).dispose()).seconds;
  r.tiny_add_scope = timeit(() => scope(() => void one.add(one))).seconds;
  // conv2d 3x3, batch 32, 128 -> 128 channels, 32x32, padding 1.
  for (const [name, dtype, layout] of [
    ['fp32_nchw', 'float32', 'contiguous'],
    ['fp32_cl', 'float32', 'channels_last'],
    ['bf16_cl', 'bfloat16', 'channels_last'],
  ] as const) {
    const x = randn([N, C, H, W], { dtype }).contiguous(layout);
    const w = randn([C, C, 3, 3], { dtype }).contiguous(layout).requiresGrad_(true);
    r[`conv_fwd_${name}`] = timeit(() => scope(() => void conv2d(x, w, null, { padding: 1 })), {
      minSeconds: 0.4,
    }).seconds;
    r[`conv_fwdbwd_${name}`] = timeit(
      () =>
        scope(() => {
          w.grad = null;
          const y = conv2d(x, w, null, { padding: 1 });
          y.backward(onesLike(y));
        }),
      { minSeconds: 0.4 },
    ).seconds;
  }
  const a = randn([2048, 2048]);
  const b = randn([2048, 2048]);
  r.matmul_fp32 = timeit(() => a.matmul(b).dispose(), { minSeconds: 0.4 }).seconds;
  const ab = a.bfloat16();
  const bb = b.bfloat16();
  r.matmul_bf16 = timeit(() => ab.matmul(bb).dispose(), { minSeconds: 0.4 }).seconds;
  return r;
}

// This machine's speed drifts between runs, so the two sides alternate and each keeps its best round.
const keepBest = (into: Record<string, number>, r: Record<string, number>) => {
  for (const [k, v] of Object.entries(r)) into[k] = Math.min(into[k] ?? Infinity, v);
};
const results: Record<string, number> = {};
let torch: Record<string, number> | null = null;
for (let round = 0; round < ROUNDS; round++) {
  const t = runPythonBench<Record<string, number>>('engine.py', [String(threads)]);
  if (t) keepBest((torch ??= {}), t);
  keepBest(results, measureOurs());
}
const ratio = (ours: number, theirs: number | undefined) => (theirs === undefined ? 'n/a' : fmt(theirs / ours));

console.log('\nPer-op overhead (one-element add, result disposed):\n');
const overheadRow = (label: string, key: string) => {
  const ours = results[key] as number;
  return [label, fmt(ours * 1e6), fmt((torch?.tiny_add ?? NaN) * 1e6), ratio(ours, torch?.tiny_add)];
};
console.log(
  table(
    ['path', 'ncml us/op', 'PyTorch (Python) us/op', 'speed vs PyTorch'],
    [
      overheadRow('native call + dispose', 'tiny_add_native'),
      overheadRow('Tensor.add + dispose', 'tiny_add'),
      overheadRow('Tensor.add in scope', 'tiny_add_scope'),
    ],
  ),
);

console.log('\nThroughput (GF/s; ratio = ncml / PyTorch, higher is better):\n');
const rows: (string | number)[][] = [];
for (const name of ['fp32_nchw', 'fp32_cl', 'bf16_cl']) {
  for (const [kind, flops] of [
    ['fwd', convFlops],
    ['fwdbwd', 3 * convFlops],
  ] as const) {
    const key = `conv_${kind}_${name}`;
    const ours = flops / (results[key] as number) / 1e9;
    const theirs = torch ? flops / (torch[key] as number) / 1e9 : NaN;
    rows.push([
      `conv2d ${kind === 'fwd' ? 'forward' : 'forward+backward'} ${name}`,
      fmt(ours, 1),
      fmt(theirs, 1),
      fmt(ours / theirs),
    ]);
  }
}
for (const key of ['matmul_fp32', 'matmul_bf16']) {
  const ours = matmulFlops / (results[key] as number) / 1e9;
  const theirs = torch ? matmulFlops / (torch[key] as number) / 1e9 : NaN;
  rows.push([`matmul 2048^2 ${key.slice(7)}`, fmt(ours, 1), fmt(theirs, 1), fmt(ours / theirs)]);
}
console.log(table(['workload', 'ncml GF/s', 'PyTorch GF/s', 'ratio'], rows));
if (!torch) console.log('\n(PyTorch for Python not found: install python3-torch for the comparison)');
