// Incremental NCPN benchmark: autoregressive sampling with the cached
// (incremental) stepper against the reference stepper, which runs
// NCPN.forward on the whole canvas for every pixel. Both loops draw each
// pixel with sampleMixture and write it back, as a sampler does.
//
// The reference's cost per pixel does not depend on the pixel (the whole
// canvas goes through the network every time), so it is timed on a few pixels
// and extrapolated to the image; the cached stepper is timed on whole images:
// the first (which builds the per-step programs) and a later one (which
// replays them). Then one profiled stretch of rows splits a step into the
// executor's instructions, the JavaScript around them, and the draw, and
// compares the executor's multiply-adds with the forward pass's per pixel.
//
// Run: npm run bench:incremental [-- tiny small rgb attention] [--quick]
import type { ArStepper, ArStepperOptions } from '../src/models/ar-stepper.js';
import { NCPN, type NcpnConfig, presetConfig } from '../src/models/ncpn/index.js';
import { createIncrementalStepper, profileIncremental } from '../src/models/ncpn/incremental.js';
import { sampleMixture } from '../src/ncml/mixture/sample.js';
import { native } from '../src/binding/native.js';
import {
  countFlops,
  engineInfo,
  getNumThreads,
  keep,
  manualSeed,
  noGrad,
  rand,
  scope,
  type Tensor,
  zeros,
} from '../src/tensor/index.js';
import { fmt, table } from './harness.js';

interface Plan {
  name: string;
  preset: 'tiny' | 'small';
  channels: 1 | 3;
  size: number;
  attention: boolean;
  batches: number[];
}

const quick = process.argv.includes('--quick');
const selected = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const ALL = [1, 4, 16, 64, 256];
const PLANS: Plan[] = [
  { name: 'tiny', preset: 'tiny', channels: 1, size: 28, attention: false, batches: quick ? [1, 16] : ALL },
  { name: 'small', preset: 'small', channels: 1, size: 28, attention: false, batches: quick ? [16] : ALL },
  { name: 'rgb', preset: 'tiny', channels: 3, size: 32, attention: false, batches: quick ? [16] : ALL },
  // The CPU presets run without attention; this one shows what attention costs per step.
  { name: 'attention', preset: 'tiny', channels: 1, size: 28, attention: true, batches: quick ? [16] : [16, 64] },
];

/** The reference: NCPN.forward on the whole canvas per pixel (unwritten pixels are zeros). */
function referenceStepper(model: NCPN, opts: ArStepperOptions): ArStepper {
  const canvas = keep(zeros([opts.batch, model.config.channels, opts.height, opts.width]));
  return {
    paramsAt: (i, j) =>
      noGrad(() => scope(() => model.forward(canvas, { t: opts.t, y: opts.y }).select(3, j).select(2, i).contiguous())),
    write: (i, j, value) => noGrad(() => canvas.select(3, j).select(2, i).copy_(value)),
    dispose: () => canvas.dispose(),
  };
}

/** One raster step: parameters, a draw (or, for the stepper alone, a fixed value), the write-back. */
function step(st: ArStepper, i: number, j: number, channels: 1 | 3, fixed: Tensor | null): void {
  scope(() => {
    const p = st.paramsAt(i, j);
    st.write(i, j, fixed ?? sampleMixture(p, { channels, clamp: true, quantize: true }));
  });
}

interface Timing {
  wall: number;
  cpu: number;
}

function timed(fn: () => void): Timing {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  fn();
  const c = process.cpuUsage(c0);
  return { wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 };
}

/** Seconds per reference step (no draw): the best of a few, after one warm-up step (skipped when a step is long). */
function timeReference(model: NCPN, opts: ArStepperOptions, fixed: Tensor, pixels: number, warm: boolean): Timing {
  const st = referenceStepper(model, opts);
  let k = 0;
  const next = () => {
    step(st, Math.floor(k / opts.width), k % opts.width, 1, fixed);
    k++;
  };
  if (warm) next();
  let bestT: Timing = { wall: Infinity, cpu: Infinity };
  for (let n = 0; n < pixels; n++) {
    const t = timed(next);
    if (t.wall < bestT.wall) bestT = t;
  }
  st.dispose();
  return bestT;
}

/** One whole image (all H*W steps) through a fresh incremental stepper. */
function timeImage(model: NCPN, opts: ArStepperOptions, channels: 1 | 3, fixed: Tensor | null): Timing {
  const st = createIncrementalStepper(model, opts);
  const t = timed(() => {
    for (let i = 0; i < opts.height; i++) for (let j = 0; j < opts.width; j++) step(st, i, j, channels, fixed);
  });
  st.dispose();
  return t;
}

interface Split {
  stepUs: number;
  nativeUs: number;
  ops: Record<string, { us: number; madds: number }>;
  jsUs: number;
  drawUs: number;
  callsPerStep: number;
  drawCallsPerStep: number;
  maddsPerStep: number;
}

const nativeCalls = (native as unknown as { nativeCalls(): number }).nativeCalls;

/** A profiled stretch of `rows` rows (after replayed programs exist): where a step's time goes. */
function profileSteps(model: NCPN, opts: ArStepperOptions, channels: 1 | 3, rows: number): Split {
  const st = createIncrementalStepper(model, opts);
  const W = opts.width;
  // Two rows unprofiled (the programs exist already: an earlier image built them).
  for (let i = 0; i < 2; i++) for (let j = 0; j < W; j++) step(st, i, j, channels, null);
  profileIncremental(st, true);
  let stepS = 0;
  let drawS = 0;
  let stepCalls = 0;
  let drawCalls = 0;
  for (let i = 2; i < 2 + rows; i++) {
    for (let j = 0; j < W; j++) {
      scope(() => {
        const c0 = nativeCalls();
        const t0 = performance.now();
        const p = st.paramsAt(i, j);
        const t1 = performance.now();
        const c1 = nativeCalls();
        const v = sampleMixture(p, { channels, clamp: true, quantize: true });
        const t2 = performance.now();
        const c2 = nativeCalls();
        st.write(i, j, v);
        const t3 = performance.now();
        stepCalls += c1 - c0 + (nativeCalls() - c2) - 2; // minus the two counter reads
        drawCalls += c2 - c1 - 1;
        stepS += (t1 - t0 + (t3 - t2)) / 1000;
        drawS += (t2 - t1) / 1000;
      });
    }
  }
  const prof = profileIncremental(st, false);
  st.dispose();
  if (prof === null) throw new Error('the benchmark needs the program executor');
  const n = rows * W;
  const ops: Split['ops'] = {};
  let madds = 0;
  for (const [k, o] of Object.entries(prof.ops)) {
    ops[k] = { us: (o.ms * 1000) / n, madds: o.madds / n };
    madds += o.madds;
  }
  const nativeUs = (prof.ms * 1000) / n;
  return {
    stepUs: (stepS * 1e6) / n,
    nativeUs,
    ops,
    jsUs: (stepS * 1e6) / n - nativeUs,
    drawUs: (drawS * 1e6) / n,
    callsPerStep: stepCalls / n,
    drawCallsPerStep: drawCalls / n,
    maddsPerStep: madds / n,
  };
}

function options(B: number, size: number): ArStepperOptions {
  return { batch: B, height: size, width: size, t: rand([B]).mul_(0.5), y: null };
}

const threads = getNumThreads();
const info = engineInfo();
console.log(
  `# incremental NCPN benchmark: libtorch ${info.torchVersion}, ${threads} thread(s), ${info.cpuCapability} kernels, float32\n`,
);
console.log(
  'Every loop draws each pixel with sampleMixture (8-bit, clamped) and writes it back. The reference runs ' +
    'NCPN.forward (NCHW) on the whole canvas per pixel; its cost per pixel is the same at every pixel, so it is ' +
    'timed on a few pixels (best of them) and extrapolated to H*W pixels. The cached stepper is timed on whole ' +
    'images: the first one at a batch size builds the per-step programs, later ones replay them.',
);

for (const plan of PLANS.filter((p) => selected.length === 0 || selected.includes(p.name))) {
  manualSeed(0);
  const overrides: Partial<NcpnConfig> = plan.attention ? { attention: true } : {};
  const config = presetConfig(plan.preset, plan.channels, overrides);
  const model = new NCPN(config).eval();
  const S = plan.size;
  const pixels = S * S;
  const flops = countFlops(() => noGrad(() => void model.forward(rand([1, plan.channels, S, S]), { t: rand([1]) })));
  console.log(
    `\n## ${plan.preset}${plan.attention ? ' + attention' : ''}, ${S}x${S}x${plan.channels}: ` +
      `${model.numParameters().toLocaleString('en-US')} parameters, forward ${fmt(flops / 1e9, 3)} GFLOP/image ` +
      `= ${fmt(flops / pixels / 1e6, 3)} MFLOP per pixel\n`,
  );
  const loop: (string | number)[][] = [];
  const alone: (string | number)[][] = [];
  const splits: (string | number)[][] = [];
  for (const B of plan.batches) {
    const opts = options(B, S);
    const fixed = keep(zeros([B, plan.channels]));
    // Few reference pixels at large batches: one forward of small at batch 256 takes most of a minute here.
    const refPixels = B <= 16 ? 3 : B <= 64 ? 2 : 1;
    const ref = timeReference(model, opts, fixed, refPixels, B <= 64);
    const first = timeImage(model, opts, plan.channels, null);
    const warm = timeImage(model, opts, plan.channels, null);
    const bare = timeImage(model, opts, plan.channels, fixed);
    const sp = profileSteps(model, opts, plan.channels, B >= 64 ? 2 : 4);
    fixed.dispose();
    const drawS = sp.drawUs / 1e6;
    const refImage = ((ref.wall + drawS) * pixels) / B;
    loop.push([
      B,
      `${fmt(refImage, 2)} (${refPixels} px)`,
      fmt(first.wall / B, 4),
      fmt(warm.wall / B, 4),
      `${fmt(refImage / (warm.wall / B), 0)}x`,
      fmt((1000 * (warm.wall - bare.wall)) / pixels, 3),
    ]);
    const perStep = (t: Timing) => [t.wall / pixels, t.cpu / pixels] as const;
    const [bw, bc] = perStep(bare);
    alone.push([
      B,
      `${fmt(ref.wall * 1000, 1)} / ${fmt(ref.cpu * 1000, 1)}`,
      `${fmt(bw * 1000, 3)} / ${fmt(bc * 1000, 3)}`,
      `${fmt(ref.wall / bw, 0)}x / ${fmt(ref.cpu / bc, 0)}x`,
      fmt((B * flops) / ref.wall / 1e9, 1),
      fmt((2 * sp.maddsPerStep) / bw / 1e9, 1),
    ]);
    const op = (name: string) => sp.ops[name]?.us ?? 0;
    const pointwise = Object.entries(sp.ops)
      .filter(([k]) => k !== 'gemm' && k !== 'attention')
      .reduce((a, [, o]) => a + o.us, 0);
    const gemm = sp.ops.gemm;
    splits.push([
      B,
      fmt(sp.stepUs, 0),
      fmt(sp.nativeUs, 0),
      gemm ? `${fmt(gemm.us, 0)} (${fmt((2 * gemm.madds) / gemm.us / 1e3, 1)} GF/s)` : 'n/a',
      fmt(op('attention'), 0),
      fmt(pointwise, 0),
      fmt(sp.jsUs, 0),
      fmt(sp.callsPerStep, 1),
      `${fmt(sp.drawUs, 0)} (${fmt(sp.drawCallsPerStep, 0)} calls)`,
      `${fmt((2 * sp.maddsPerStep) / B / 1e6, 3)} (${fmt((2 * sp.maddsPerStep) / B / (flops / pixels), 2)}x)`,
    ]);
  }
  console.log('Sampling loop (paramsAt, sampleMixture, write), seconds per image, wall clock:\n');
  console.log(
    table(
      ['batch', 'reference (extrapolated from N steps)', 'cached, first image', 'cached', 'speedup', 'draw ms/step'],
      loop,
    ),
  );
  console.log(
    '\nThe steppers alone (paramsAt + write of a fixed value), ms per step, wall / CPU time of this process:\n',
  );
  console.log(table(['batch', 'reference', 'cached', 'speedup', 'reference GF/s', 'cached GF/s'], alone));
  console.log('\nWhere a cached step goes (microseconds per step for the whole batch, profiled stretch of rows):\n');
  console.log(
    table(
      [
        'batch',
        'step',
        'executor',
        'GEMM (convs, linears)',
        'attention',
        'pointwise',
        'JS + write',
        'native calls/step',
        'draw',
        'executor MFLOP/pixel/image (vs forward)',
      ],
      splits,
    ),
  );
  model.dispose();
}
