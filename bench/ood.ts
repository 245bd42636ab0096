// OOD-statistics benchmark: images/s of the default statistics (nll,
// typicality, lr and score-norm at T/10, T/3, T) for the tiny preset on
// Fashion-MNIST test images, computed in one pass, where each lr@t takes
// log p(x_t | t) from the score-norm's forward pass at the same t, against the
// baseline of the same statistics in two passes (the ratios, then the score
// norms), which is what scoring cost before the passes were shared. Weights
// are random (speed does not depend on them). Run: npm run bench:ood
import { loadDataset } from '../src/data/index.js';
import { builtinOodStatistics, computeOodStatistics, defaultOodTimes, fitReferences } from '../src/eval/ood/index.js';
import type { OodContext } from '../src/eval/ood/statistic.js';
import { NCPN, presetConfig } from '../src/models/ncpn/index.js';
import { createSde } from '../src/ncml/sde/index.js';
import { engineInfo, getNumThreads, manualSeed } from '../src/tensor/index.js';
import { fmt, table, timeit } from './harness.js';

const IMAGES = 200;
const REPEATS = 3;
const info = engineInfo();
const sde = createSde('vp');
const ts = defaultOodTimes(sde.T);
console.log(
  `# OOD statistics benchmark: tiny preset, Fashion-MNIST test images (${IMAGES}), batch 100, fp32, ` +
    `${getNumThreads()} threads, libtorch ${info.torchVersion}, ${info.cpuCapability} kernels; t = ${ts.join(', ')}\n`,
);

manualSeed(0);
const model = new NCPN(presetConfig('tiny', 1));
const ctx: OodContext = { model, sde, kind: 'binned', reference: new Map() };
const data = loadDataset('fashion-mnist', 'test');
const all = builtinOodStatistics(['nll', 'typicality', 'lr', 'score-norm'], ts);
fitReferences(ctx, all, data, { limit: 100 });
const withoutScores = all.filter((s) => s.family !== 'score-norm');
const scoresOnly = all.filter((s) => s.family === 'score-norm');

// Each call scores IMAGES images (seconds): one warm-up, then the median of REPEATS single calls.
const median = (fn: () => void) => timeit(fn, { warmup: 1, repeats: REPEATS, minSeconds: 0 }).seconds;
const opts = { limit: IMAGES, seed: 1 };
const separate = median(() => {
  computeOodStatistics(ctx, withoutScores, data, opts);
  computeOodStatistics(ctx, scoresOnly, data, opts);
});
const shared = median(() => computeOodStatistics(ctx, all, data, opts));
console.log(
  table(
    ['scoring', 'images/s', 's per 1000 images', 'speed-up'],
    [
      [
        'two passes (baseline: nothing shared across lr and score-norm)',
        fmt(IMAGES / separate, 3),
        fmt((separate * 1000) / IMAGES, 3),
        '1.00',
      ],
      [
        'one pass (lr reuses the score forward)',
        fmt(IMAGES / shared, 3),
        fmt((shared * 1000) / IMAGES, 3),
        fmt(separate / shared, 3),
      ],
    ],
  ),
);
