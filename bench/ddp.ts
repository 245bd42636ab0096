// Data-parallel benchmark. On this machine: the real trainer's steps/s and
// all-reduce seconds per step for the tiny and small presets (Fashion-MNIST,
// global batch 32), one process with all the threads (N = 1) against N
// processes with the threads split (N = 2 by default, one thread each); and
// Gloo's all-reduce over loopback for 1, 10 and 100 MB. Then a paper model
// of 8 machines from those measurements (printed with its assumptions).
// Run: npm run bench:ddp (under `flock /tmp/ncml-cpu.lock` on a shared machine).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { freePort } from '../src/cli/launcher.js';
import { loadDataset } from '../src/data/registry.js';
import { splitTrainValidation } from '../src/data/split.js';
import { allReduce, barrier, destroyProcessGroup, initProcessGroup } from '../src/distributed/index.js';
import type { PresetName } from '../src/models/ncpn/index.js';
import { defaultTrainConfig } from '../src/runs/config.js';
import { engineInfo, setNumThreads, zeros } from '../src/tensor/index.js';
import { Trainer } from '../src/train/trainer.js';
import { fmt, table } from './harness.js';

const BATCH = 32;
const PLANS: { preset: PresetName; warmup: number; steps: number }[] = [
  { preset: 'tiny', warmup: 2, steps: 8 },
  { preset: 'small', warmup: 1, steps: 4 },
];
const SIZES_MB = [1, 10, 100];
const WORLD = Number(process.env.NCML_BENCH_DDP_WORLD ?? 2);

type WorkerJob =
  | { kind: 'train'; preset: PresetName; warmup: number; steps: number; rank: number; worldSize: number; port: number }
  | { kind: 'bandwidth'; rank: number; worldSize: number; port: number };

interface TrainResult {
  secondsPerStep: number;
  allReduceSecondsPerStep: number;
  parameters: number;
  buckets: number;
}

interface BandwidthResult {
  mb: number;
  seconds: number;
}

function benchData() {
  const full = loadDataset('fashion-mnist', 'train');
  return splitTrainValidation(full, { validation: 1000, seed: 0 });
}

function trainConfig(preset: PresetName, steps: number) {
  return defaultTrainConfig(
    { preset },
    { steps, timeBudgetSeconds: null, batchSize: BATCH, evalEvery: 0, checkpointEvery: 0, logEvery: 1000 },
  );
}

/** Trains warmup + steps steps; the timed ones give seconds per step and all-reduce seconds per step. */
function timeTraining(
  job: { preset: PresetName; warmup: number; steps: number },
  group?: ReturnType<typeof initProcessGroup>,
): TrainResult {
  const dir = mkdtempSync(join(tmpdir(), 'ncml-bench-ddp-'));
  try {
    const trainer = new Trainer(trainConfig(job.preset, job.warmup + job.steps), dir, {
      data: benchData(),
      distributed: group ? { group } : undefined,
    });
    for (let i = 0; i < job.warmup; i++) trainer.trainStep();
    if (group) barrier({ group });
    trainer.dataParallel?.takeAllReduceSeconds();
    const t0 = performance.now();
    for (let i = 0; i < job.steps; i++) trainer.trainStep();
    const seconds = (performance.now() - t0) / 1000;
    return {
      secondsPerStep: seconds / job.steps,
      allReduceSecondsPerStep: (trainer.dataParallel?.takeAllReduceSeconds() ?? 0) / job.steps,
      parameters: trainer.model.numParameters(),
      buckets: trainer.dataParallel?.buckets.length ?? 0,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function timeBandwidth(group: ReturnType<typeof initProcessGroup>): BandwidthResult[] {
  return SIZES_MB.map((mb) => {
    const t = zeros([Math.round((mb * 1e6) / 4)]);
    const repeats = mb >= 100 ? 3 : mb >= 10 ? 5 : 10;
    allReduce(t, { group, checked: false });
    const samples: number[] = [];
    for (let i = 0; i < repeats; i++) {
      barrier({ group });
      const t0 = performance.now();
      allReduce(t, { group, checked: false });
      samples.push((performance.now() - t0) / 1000);
    }
    t.dispose();
    return { mb, seconds: median(samples) };
  });
}

async function worker(job: WorkerJob): Promise<void> {
  const group = initProcessGroup({
    initMethod: `tcp://127.0.0.1:${job.port}`,
    rank: job.rank,
    worldSize: job.worldSize,
  });
  const result = job.kind === 'train' ? timeTraining(job, group) : timeBandwidth(group);
  if (job.rank === 0) process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  destroyProcessGroup(group);
}

/** Runs a job in `worldSize` processes with `threads` threads each; returns rank 0's result. */
async function inProcesses<T>(job: Omit<WorkerJob, 'rank' | 'port'>, threads: number): Promise<T> {
  const port = await freePort();
  const script = fileURLToPath(import.meta.url);
  const outputs = await Promise.all(
    Array.from(
      { length: job.worldSize },
      (_, rank) =>
        new Promise<string>((resolve, reject) => {
          const child = spawn(process.execPath, [script, '--worker', JSON.stringify({ ...job, rank, port })], {
            stdio: ['ignore', 'pipe', 'inherit'],
            env: { ...process.env, NCML_NUM_THREADS: String(threads) },
          });
          let out = '';
          child.stdout.on('data', (d) => (out += d));
          child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`rank ${rank} exited ${code}`))));
        }),
    ),
  );
  const line = outputs[0]!.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error('rank 0 printed no result');
  return JSON.parse(line.slice('RESULT '.length)) as T;
}

async function main(): Promise<void> {
  const threads = Number(process.env.NCML_NUM_THREADS ?? availableParallelism());
  const each = Math.max(1, Math.floor(threads / WORLD));
  const info = engineInfo();
  console.log(
    `# data-parallel benchmark: Fashion-MNIST, global batch ${BATCH}, fp32, libtorch ${info.torchVersion}, ` +
      `${availableParallelism()} cores; N = 1 with ${threads} threads vs N = ${WORLD} with ${each} thread(s) each`,
  );
  const bandwidth = await inProcesses<BandwidthResult[]>({ kind: 'bandwidth', worldSize: WORLD }, each);
  console.log(`\n## Gloo all-reduce over loopback, ${WORLD} processes (float32, median)\n`);
  console.log(
    table(
      ['size', 'seconds', 'algorithm GB/s (size / time)', 'bus GB/s (2(N-1)/N x size / time)'],
      bandwidth.map((b) => [
        `${b.mb} MB`,
        fmt(b.seconds, 4),
        fmt(b.mb / 1000 / b.seconds, 2),
        fmt(((2 * (WORLD - 1)) / WORLD) * (b.mb / 1000 / b.seconds), 2),
      ]),
    ),
  );
  setNumThreads(threads);
  const rows: (string | number)[][] = [];
  const measured: { preset: PresetName; one: TrainResult; many: TrainResult }[] = [];
  for (const plan of PLANS) {
    const one = timeTraining(plan);
    const many = await inProcesses<TrainResult>({ kind: 'train', ...plan, worldSize: WORLD }, each);
    measured.push({ preset: plan.preset, one, many });
    rows.push(
      [
        plan.preset,
        `N=1, ${threads} threads`,
        fmt(1 / one.secondsPerStep),
        fmt(BATCH / one.secondsPerStep, 1),
        '-',
        '-',
      ],
      [
        plan.preset,
        `N=${WORLD}, ${each} thread${each > 1 ? 's' : ''} each`,
        fmt(1 / many.secondsPerStep),
        fmt(BATCH / many.secondsPerStep, 1),
        fmt(many.allReduceSecondsPerStep, 4),
        `${many.buckets} (${fmt((many.parameters * 4) / 1e6, 1)} MB)`,
      ],
    );
  }
  console.log(`\n## Training steps (global batch ${BATCH}; all-reduce time includes waiting for the slower rank)\n`);
  console.log(table(['preset', 'processes', 'steps/s', 'images/s', 'all-reduce s/step', 'gradient buckets'], rows));
  paperModel(bandwidth, measured);
}

/**
 * Eight machines on paper, from the measurements above. A step is compute
 * plus a ring all-reduce of the gradients, not overlapped:
 *   a(N) = 2 (N - 1) / N * S / B + 2 (N - 1) * L
 * (S gradient bytes, B link bandwidth, L latency per message). Two uses of N machines:
 *   same global batch (32; 4 images per machine): t = c / N + a(N)
 *   32 images per machine (global batch 256):    t = c + a(N)
 * with c the measured N = 1 step on 32 images (compute assumed to scale with
 * the images). Links: the loopback fit of the table above, and an assumed
 * 10 Gb/s Ethernet (1.25 GB/s, 50 us) between real machines.
 */
function paperModel(bandwidth: BandwidthResult[], measured: { preset: PresetName; one: TrainResult }[]): void {
  // seconds = L' + size / B' through the smallest and the largest size.
  const lo = bandwidth[0]!;
  const hi = bandwidth.at(-1)!;
  const perByte = (hi.seconds - lo.seconds) / ((hi.mb - lo.mb) * 1e6);
  const fitted = {
    name: 'loopback fit',
    bytesPerSecond: 1 / perByte,
    latency: Math.max(0, lo.seconds - lo.mb * 1e6 * perByte),
  };
  const links = [fitted, { name: '10 GbE (assumed)', bytesPerSecond: 1.25e9, latency: 50e-6 }];
  const N = 8;
  console.log(`\n## ${N} machines on paper (model in bench/ddp.ts: t = compute + ring all-reduce, not overlapped)\n`);
  const rows: (string | number)[][] = [];
  for (const m of measured) {
    const c = m.one.secondsPerStep;
    const S = m.one.parameters * 4;
    for (const link of links) {
      const a = ((2 * (N - 1)) / N) * (S / link.bytesPerSecond) + 2 * (N - 1) * link.latency;
      const strong = c / N + a;
      const weak = c + a;
      rows.push([
        m.preset,
        link.name,
        fmt(c, 3),
        fmt(a, 4),
        `${fmt(c / strong, 2)}x (${fmt(c / N / strong, 2)})`,
        `${fmt((N * c) / weak, 2)}x (${fmt(c / weak, 2)})`,
      ]);
    }
  }
  console.log(
    table(
      [
        'preset',
        'link',
        'c: s/step, 32 images',
        'a(8): all-reduce s',
        'speedup (efficiency), global batch 32',
        'speedup (efficiency), 32 per machine',
      ],
      rows,
    ),
  );
  console.log(
    `\nloopback fit: ${fmt(fitted.bytesPerSecond / 1e9, 2)} GB/s and ${fmt(fitted.latency * 1e6, 0)} us per message ` +
      `(two processes sharing ${availableParallelism()} cores). Speedup is images/s at N = 8 over N = 1.`,
  );
}

if (process.argv[2] === '--worker') await worker(JSON.parse(process.argv[3] as string) as WorkerJob);
else await main();
