// The measurement behind the two-phase sampler's defaults (docs/sampling.md):
// on a trained model, the sample-quality proxy, the mean bits/dim of the
// samples under the model's own clean likelihood p_theta(x | 0), for plain
// AR sampling at t = 0, for phase-1 draws at several t0 left unrefined (just
// rounded), and for refinement settings applied to the same phase-1 draws.
// With a feature net (ncml eval quality's), also FID and KID of each setting
// against the test set, beside the real-vs-real floor at the same n.
// N samples per setting (default 16); grids of every setting go to the output directory.
// Run (under the CPU lock): node dist/bench/sampling-defaults.js <run dir> <out dir> [N] [feature net dir]
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { makeBatch } from '../src/data/batch.js';
import { writeImageGrid } from '../src/data/grid.js';
import { logProb, toBitsPerDim } from '../src/models/likelihood.js';
import { quantizeToLevels } from '../src/ncml/mixture/levels.js';
import { toUint8 } from '../src/cli/sampling-output.js';
import { evaluateSampleQuality, loadFeatureNet, type QualityRow } from '../src/eval/quality/index.js';
import { loadRunSplit } from '../src/runs/data.js';
import { loadTrainedModel } from '../src/runs/load.js';
import { sampleAutoregressive } from '../src/sampling/autoregressive.js';
import { type CorrectorName, type PredictorName, refine } from '../src/sampling/refine.js';
import { getNumThreads, keep, noGrad, scope, type Tensor } from '../src/tensor/index.js';
import { fmt, table } from './harness.js';

const runDir = process.argv[2] ?? '/work/main/runs/reproduce-full/ncml-vp';
const outDir = process.argv[3] ?? 'sampling-defaults';
mkdirSync(outDir, { recursive: true });
const N = Number(process.argv[4] ?? 16);
const featureNet = process.argv[5] === undefined ? null : loadFeatureNet(process.argv[5]).net;
const trained = loadTrainedModel(runDir);
const { model, sde, config } = trained;
const kind = config.noisyLikelihood;
console.log(
  `# two-phase settings on ${trained.checkpoint} (step ${trained.state.step}, EMA weights), ` +
    `${config.sde.kind} SDE T = ${sde.T}, ${N} samples per setting, ${getNumThreads()} threads\n`,
);

interface Row {
  setting: string;
  t0: string;
  bpd: number[];
  seconds: number;
  file: string;
  quality: QualityRow | null;
}
const rows: Row[] = [];

function bitsPerDim(x: Tensor): number[] {
  return scope(() => Array.from(noGrad(() => toBitsPerDim(logProb(model, x, { t: 0 }), x)).toArray() as Float32Array));
}

const splits =
  featureNet === null ? null : { test: loadRunSplit(config, 'test'), train: loadRunSplit(config, 'train') };
let floor: QualityRow | null = null;
function quality(x: Tensor): QualityRow | null {
  if (featureNet === null || splits === null) return null;
  const r = evaluateSampleQuality([{ name: 'samples', images: toUint8(x) }], {
    net: featureNet,
    ...splits,
    kid: { subsets: 50, subsetSize: N },
    seed: 0,
  });
  floor ??= r.rows.find((q) => q.kind === 'floor') ?? null;
  return r.rows.find((q) => q.kind === 'images') ?? null;
}

function record(setting: string, t0: string, x: Tensor, seconds: number): void {
  const file = join(outDir, `${setting.replace(/[^a-z0-9.]+/gi, '-')}-t0-${t0}.png`);
  writeImageGrid(file, x, { columns: Math.ceil(Math.sqrt(N)) });
  const row = { setting, t0, bpd: bitsPerDim(x), seconds, file, quality: quality(x) };
  rows.push(row);
  console.error(`${setting} at t0 ${t0}: ${fmt(mean(row.bpd), 3)} bits/dim, ${fmt(seconds, 1)} s`);
}

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const stderr = (v: number[]) => {
  const m = mean(v);
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1) / v.length);
};

scope(() => {
  const test = loadRunSplit(config, 'test');
  const batch = makeBatch(
    test,
    Array.from({ length: N }, (_, i) => i),
  );
  record('test images (reference)', '-', batch.x, 0);
});

let started = performance.now();
scope(() =>
  record(
    'plain AR at t = 0',
    '0',
    sampleAutoregressive(model, { n: N, height: 28, width: 28, seed: 1 }).x,
    (performance.now() - started) / 1000,
  ),
);

interface Setting {
  predictor: PredictorName;
  corrector: CorrectorName;
  steps: number;
  denoise?: boolean;
}
const EM = (steps: number): Setting => ({ predictor: 'euler-maruyama', corrector: 'none', steps });
const PLAN: [number, Setting[]][] = [
  [0.25, [EM(50)]],
  [
    0.5,
    [
      EM(10),
      EM(25),
      EM(50),
      { ...EM(50), denoise: false },
      { predictor: 'reverse-diffusion', corrector: 'none', steps: 50 },
      { predictor: 'probability-flow', corrector: 'none', steps: 25 },
      { predictor: 'euler-maruyama', corrector: 'langevin', steps: 25 },
    ],
  ],
  [1, [EM(50)]],
];

for (const [fraction, settings] of PLAN) {
  const t0 = fraction * sde.T;
  started = performance.now();
  const noisy = keep(sampleAutoregressive(model, { n: N, height: 28, width: 28, t: t0, kind, seed: 2 }).x);
  const phase1 = (performance.now() - started) / 1000;
  scope(() => record('phase 1 only (rounded)', `${t0}`, quantizeToLevels(noisy), phase1));
  for (const s of settings) {
    scope(() => {
      started = performance.now();
      const out = refine(model, sde, noisy, { t0, ...s, kind, seed: 3 });
      const name = `${s.predictor}${s.corrector === 'none' ? '' : ` + ${s.corrector}`}, ${s.steps} steps${s.denoise === false ? ', no Tweedie' : ''}`;
      record(name, `${t0}`, out.x, phase1 + (performance.now() - started) / 1000);
    });
  }
  noisy.dispose();
}

const q = (r: Row) =>
  r.quality === null
    ? []
    : [fmt(r.quality.fid, 1), `${fmt(r.quality.kid.mean * 1e3, 2)} ± ${fmt(r.quality.kid.std * 1e3, 2)}`];
console.log(
  table(
    [
      't0',
      'sampler',
      'bits/dim under p(x | 0)',
      'std. error',
      ...(featureNet === null ? [] : ['FID', 'KID x 1e3']),
      `s per ${N} (phase 1 + 2)`,
    ],
    rows.map((r) => [r.t0, r.setting, fmt(mean(r.bpd), 3), fmt(stderr(r.bpd), 3), ...q(r), fmt(r.seconds, 0)]),
  ),
);
if (floor !== null) {
  const f = floor as QualityRow;
  console.log(
    `\nreal-vs-real floor (n = ${f.n} training images vs the test set): FID ${fmt(f.fid, 1)}, KID x 1e3 ${fmt(f.kid.mean * 1e3, 2)}`,
  );
}
