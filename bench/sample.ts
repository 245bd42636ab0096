// Sampling benchmark: images/s and seconds per image of plain autoregressive
// sampling at t = 0 and of the two-phase sampler (phase 1, the noisy
// autoregressive draw at t0, and phase 2, the refinement, timed separately)
// for the tiny preset at 28x28, batch 16, with every registered per-pixel
// parameter provider (--ar-impl). Weights are random (speed does not depend
// on them); the settings are the sampler's defaults. One timed run each: a
// run is hundreds of forward passes. Run: npm run bench:sample
import { NCPN, presetConfig } from '../src/models/ncpn/index.js';
import { createSde } from '../src/ncml/sde/index.js';
import { arImpl, arImplNames } from '../src/sampling/ar-impl.js';
import { sampleAutoregressive } from '../src/sampling/autoregressive.js';
import { defaultT0, SAMPLING_DEFAULTS } from '../src/sampling/defaults.js';
import { sampleTwoPhase } from '../src/sampling/two-phase.js';
import { engineInfo, getNumThreads, manualSeed, scope } from '../src/tensor/index.js';
import { fmt, table } from './harness.js';

const BATCH = 16;
const SIZE = 28;
const info = engineInfo();
const sde = createSde('vp');
const t0 = defaultT0(sde);
const d = SAMPLING_DEFAULTS;
console.log(
  `# sampling benchmark: tiny preset, ${SIZE}x${SIZE} gray, batch ${BATCH}, fp32 channels_last, ` +
    `${getNumThreads()} threads, libtorch ${info.torchVersion}, ${info.cpuCapability} kernels\n`,
);
console.log(
  `two-phase settings: VP SDE, t0 = ${t0} (${d.t0Fraction} T), ${d.steps} steps of ${d.predictor}, ` +
    `corrector ${d.corrector}, ${d.denoise ? 'Tweedie denoising' : 'no denoising'}\n`,
);

manualSeed(0);
const model = new NCPN(presetConfig('tiny', 1)).eval();
model.channelsLast = true;
const rows: (string | number)[][] = [];
const row = (what: string, impl: string, seconds: number) =>
  rows.push([what, impl, fmt(BATCH / seconds, 3), fmt(seconds / BATCH, 2), fmt(seconds, 1)]);

for (const impl of arImplNames()) {
  const stepper = arImpl(impl);
  const common = { n: BATCH, height: SIZE, width: SIZE, seed: 1, stepper };
  scope(() => {
    const started = performance.now();
    sampleAutoregressive(model, { ...common, t: 0 });
    row('plain AR at t = 0', impl, (performance.now() - started) / 1000);
  });
  scope(() => {
    const s = sampleTwoPhase(model, sde, {
      ...common,
      t0,
      steps: d.steps,
      predictor: d.predictor,
      corrector: d.corrector,
      snr: d.snr,
      denoise: d.denoise,
    });
    row(`two-phase, phase 1 (AR at t0 = ${t0})`, impl, s.seconds.phase1);
    row(`two-phase, phase 2 (${s.scoreEvaluations} score evaluations)`, impl, s.seconds.phase2);
    row('two-phase, total', impl, s.seconds.phase1 + s.seconds.phase2);
  });
}
console.log(table(['sampler', '--ar-impl', 'images/s', 's/image', `s per batch of ${BATCH}`], rows));
