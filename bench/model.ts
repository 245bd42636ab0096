// Model benchmark: NCPN forward and training-step throughput per preset at
// batch 32, fp32 (NCHW and channels_last) and bf16 autocast (channels_last),
// with FLOPs per image and achieved GF/s, against the same architecture written
// in plain PyTorch (bench/python/ncpn.py, same libtorch, same threads) measured
// in the same run. Measurements alternate between the two and keep the best of
// each, since this machine's speed drifts. Run: npm run bench:model [-- presets]
import { NCPN, type NcpnConfig, type PresetName, presetConfig } from '../src/models/ncpn/index.js';
import { Adam } from '../src/optim/adam.js';
import {
  autocast,
  countFlops,
  engineInfo,
  getNumThreads,
  manualSeed,
  noGrad,
  rand,
  scope,
} from '../src/tensor/index.js';
import { best, fmt, runPythonBench, table, type StepTiming, timeSteps } from './harness.js';

type Variant = 'fp32' | 'cl' | 'bf16cl';
const VARIANT_NAMES: Record<Variant, string> = {
  fp32: 'fp32 NCHW',
  cl: 'fp32 channels_last',
  bf16cl: 'bf16 channels_last',
};

interface PresetPlan {
  preset: PresetName;
  channels: 1 | 3;
  size: number;
  variants: Variant[];
  batch: number;
  warmup: number;
  steps: number;
  rounds: number;
  torch: boolean;
  note?: string;
}

const PLANS: PresetPlan[] = [
  {
    preset: 'tiny',
    channels: 1,
    size: 28,
    variants: ['fp32', 'cl', 'bf16cl'],
    batch: 32,
    warmup: 2,
    steps: 5,
    rounds: 3,
    torch: true,
  },
  {
    preset: 'small',
    channels: 1,
    size: 28,
    variants: ['fp32', 'cl', 'bf16cl'],
    batch: 32,
    warmup: 1,
    steps: 3,
    rounds: 2,
    torch: true,
  },
  // The paper's 73M model on 32x32 RGB: tens of seconds per step here, so one timed step and no PyTorch run.
  {
    preset: 'paper',
    channels: 3,
    size: 32,
    variants: ['bf16cl'],
    batch: 32,
    warmup: 1,
    steps: 1,
    rounds: 1,
    torch: false,
    note: 'fp32 does not fit at batch 32 here: a training step peaks near 7.4 GB per 8 images (bf16: 4.7 GB), and this machine has 24 GB.',
  },
];

interface Measured {
  forward: StepTiming;
  train: StepTiming;
}

function measureOurs(
  config: NcpnConfig,
  size: number,
  variant: Variant,
  batch: number,
  warmup: number,
  steps: number,
): Measured {
  manualSeed(0);
  const model = new NCPN(config);
  model.channelsLast = variant !== 'fp32';
  const bf16 = variant === 'bf16cl';
  const x = rand([batch, config.channels, size, size]).mul_(2).sub_(1);
  const t = rand([batch]);
  const opt = new Adam(model.parameters(), { lr: 1e-3 });
  const run = () => autocast(() => model.forward(x, { t }), { enabled: bf16 });
  model.eval();
  const forward = timeSteps(() => scope(() => noGrad(run)), warmup, steps);
  model.train();
  // The same step as the PyTorch twin's: mean-square loss, backward, Adam.
  const train = timeSteps(
    () =>
      scope(() => {
        opt.zeroGrad();
        run().square().mean().backward();
        opt.step();
      }),
    warmup,
    steps,
  );
  opt.dispose();
  model.dispose();
  x.dispose();
  t.dispose();
  return { forward, train };
}

interface TwinResult {
  results: Record<string, { forward: { min_s: number; median_s: number }; train: { min_s: number; median_s: number } }>;
}

function measureTwin(plan: PresetPlan, threads: number): Record<string, Measured> | null {
  const out = runPythonBench<TwinResult>('ncpn.py', [
    '--bench',
    '--config',
    plan.preset,
    '--channels',
    String(plan.channels),
    '--size',
    String(plan.size),
    '--batch',
    String(plan.batch),
    '--threads',
    String(threads),
    '--variants',
    plan.variants.join(','),
    '--modes',
    'forward,train',
    '--warmup',
    String(plan.warmup),
    '--steps',
    String(plan.steps),
  ]);
  if (!out) return null;
  const m: Record<string, Measured> = {};
  for (const [v, r] of Object.entries(out.results)) {
    m[v] = {
      forward: { min: r.forward.min_s, median: r.forward.median_s },
      train: { min: r.train.min_s, median: r.train.median_s },
    };
  }
  return m;
}

const selected = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const threads = getNumThreads();
const info = engineInfo();
console.log(
  `# model benchmark: NCPN, libtorch ${info.torchVersion}, ${threads} threads, ${info.cpuCapability} kernels`,
);

for (const plan of PLANS.filter((p) => selected.length === 0 || selected.includes(p.preset))) {
  const config = presetConfig(plan.preset, plan.channels);
  const probe = new NCPN(config);
  const flops = countFlops(() =>
    noGrad(() => void probe.forward(rand([1, plan.channels, plan.size, plan.size]), { t: rand([1]) })),
  );
  const params = probe.numParameters();
  probe.dispose();
  const ours: Partial<Record<Variant, Measured>> = {};
  const torch: Partial<Record<Variant, Measured>> = {};
  for (let round = 0; round < plan.rounds; round++) {
    const twin = plan.torch ? measureTwin(plan, threads) : null;
    for (const v of plan.variants) {
      const m = measureOurs(config, plan.size, v, plan.batch, plan.warmup, plan.steps);
      ours[v] = { forward: best(ours[v]?.forward, m.forward), train: best(ours[v]?.train, m.train) };
      const t = twin?.[v];
      if (t) torch[v] = { forward: best(torch[v]?.forward, t.forward), train: best(torch[v]?.train, t.train) };
    }
  }
  console.log(
    `\n## ${plan.preset}: ${params.toLocaleString('en-US')} parameters, ${plan.size}x${plan.size}x${plan.channels}, batch ${plan.batch}, ` +
      `${fmt(flops / 1e9, 3)} GFLOP/image forward (convolutions, linear layers, matmuls; forward+backward counted as 3x)\n`,
  );
  const B = plan.batch;
  const rows = plan.variants.map((v) => {
    const o = ours[v] as Measured;
    const t = torch[v];
    return [
      VARIANT_NAMES[v],
      fmt(B / o.forward.min, 1),
      fmt((B * flops) / o.forward.min / 1e9, 1),
      fmt(B / o.train.min, 1),
      fmt((3 * B * flops) / o.train.min / 1e9, 1),
      fmt(o.train.min, 3),
      t ? fmt(t.train.min, 3) : 'n/a',
      t ? fmt(t.train.min / o.train.min) : 'n/a',
    ];
  });
  console.log(
    table(
      ['variant', 'fwd img/s', 'fwd GF/s', 'train img/s', 'train GF/s', 'ncml s/step', 'PyTorch s/step', 'speedup'],
      rows,
    ),
  );
  if (plan.note) console.log(`\n${plan.note}`);
  const oursBest = Math.min(...plan.variants.map((v) => (ours[v] as Measured).train.min));
  const torchTimes = plan.variants.map((v) => torch[v]?.train.min).filter((x): x is number => x !== undefined);
  if (torchTimes.length > 0 && torch.fp32) {
    console.log(
      `\nncml's best step ${fmt(oursBest, 3)} s: ${fmt(torch.fp32.train.min / oursBest)}x PyTorch fp32 NCHW, ` +
        `${fmt(Math.min(...torchTimes) / oursBest)}x PyTorch's best variant (${fmt(Math.min(...torchTimes), 3)} s)`,
    );
  }
}
