// Training benchmark: steps/s and images/s of the real trainer (NCML objective
// with the logistic-mixture likelihoods, Adam, EMA, data loading) on
// Fashion-MNIST for the CPU presets, fp32 and bf16 (both channels_last).
// Baseline, measured in the same run: the model benchmark's plain step of the
// same model (mean-square loss, no likelihood, no EMA), which shows what the
// NCML objective and the trainer's bookkeeping add. Run: npm run bench:train
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { loadDataset } from '../src/data/registry.js';
import { splitTrainValidation } from '../src/data/split.js';
import { NCPN, type PresetName } from '../src/models/ncpn/index.js';
import { Adam } from '../src/optim/adam.js';
import { autocast, engineInfo, getNumThreads, manualSeed, rand, scope } from '../src/tensor/index.js';
import { defaultTrainConfig } from '../src/runs/config.js';
import { Trainer } from '../src/train/trainer.js';
import { fmt, table, timeSteps } from './harness.js';

const BATCH = 32;
const PLANS: { preset: PresetName; warmup: number; steps: number }[] = [
  { preset: 'tiny', warmup: 3, steps: 12 },
  { preset: 'small', warmup: 2, steps: 6 },
];

const info = engineInfo();
console.log(
  `# training benchmark: Fashion-MNIST, batch ${BATCH}, ${getNumThreads()} threads, libtorch ${info.torchVersion}`,
);
const full = loadDataset('fashion-mnist', 'train');
const data = { ...splitTrainValidation(full, { validation: 1000, seed: 0 }) };

function trainerSecondsPerStep(preset: PresetName, bf16: boolean, warmup: number, steps: number): number {
  const dir = mkdtempSync(join(tmpdir(), 'ncml-bench-train-'));
  const config = defaultTrainConfig(
    { preset },
    {
      steps: warmup + steps,
      timeBudgetSeconds: null,
      bf16,
      batchSize: BATCH,
      evalEvery: 0,
      checkpointEvery: 0,
      logEvery: 1000,
    },
  );
  const trainer = new Trainer(config, dir, { data });
  const timing = timeSteps(() => void trainer.trainStep(), warmup, steps);
  rmSync(dir, { recursive: true, force: true });
  return timing.min;
}

function plainSecondsPerStep(preset: PresetName, bf16: boolean, warmup: number, steps: number): number {
  manualSeed(0);
  const model = new NCPN(defaultTrainConfig({ preset }).model);
  model.channelsLast = true;
  const opt = new Adam(model.parameters());
  const x = rand([BATCH, 1, 28, 28]).mul_(2).sub_(1);
  const t = rand([BATCH]);
  const timing = timeSteps(
    () =>
      scope(() => {
        opt.zeroGrad();
        autocast(() => model.forward(x, { t }), { enabled: bf16 })
          .square()
          .mean()
          .backward();
        opt.step();
      }),
    warmup,
    steps,
  );
  model.dispose();
  return timing.min;
}

const rows: (string | number)[][] = [];
for (const plan of PLANS) {
  for (const bf16 of [false, true]) {
    const trainer = trainerSecondsPerStep(plan.preset, bf16, plan.warmup, plan.steps);
    const plain = plainSecondsPerStep(plan.preset, bf16, plan.warmup, plan.steps);
    rows.push([
      plan.preset,
      bf16 ? 'bf16 channels_last' : 'fp32 channels_last',
      fmt(1 / trainer, 2),
      fmt(BATCH / trainer, 1),
      fmt(trainer, 3),
      fmt(plain, 3),
      fmt(plain / trainer),
    ]);
  }
}
console.log(
  '\n' +
    table(
      ['preset', 'precision', 'steps/s', 'images/s', 'trainer s/step', 'plain model step s', 'trainer / plain speed'],
      rows,
    ),
);
