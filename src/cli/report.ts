// The short markdown report `ncml start` leaves in its run directory.
import type { LsbRow } from '../eval/lsb.js';
import { formatTDistribution } from '../ncml/t-distribution.js';
import type { TrainConfig } from '../runs/config.js';
import type { TrainEntry } from '../runs/metrics.js';
import type { TrainSummary } from '../train/trainer.js';

export interface RunReport {
  runDir: string;
  config: TrainConfig;
  parameters: number;
  summary: TrainSummary;
  firstLog: TrainEntry | null;
  lastLog: TrainEntry | null;
  lsb: LsbRow[];
  testExamples: number;
  testSource: string;
}

const f4 = (x: number | null) => (x !== null && Number.isFinite(x) ? x.toFixed(4) : 'n/a');

export function formatReport(r: RunReport): string {
  const c = r.config;
  const m = c.model;
  const buckets = r.lastLog ? Object.entries(r.lastLog.buckets) : [];
  return [
    `# ncml run: ${c.objective.toUpperCase()} on ${c.dataset}`,
    '',
    `Run directory: \`${r.runDir}\``,
    '',
    '## Setup',
    '',
    `- model: NCPN, ${m.nrResnet} resnet blocks/scale, ${m.nrFilters} filters, ${m.nrLogisticMix} logistic components, ` +
      `attention ${m.attention ? 'on' : 'off'}, ${r.parameters.toLocaleString('en-US')} parameters`,
    `- objective: ${c.objective}, SDE ${c.sde.kind} with T = ${c.sde.T}, mu = ${formatTDistribution(c.mu)}, ` +
      `t > 0 likelihood: ${c.noisyLikelihood}`,
    `- optimizer: ${c.optimizer}, lr ${c.lr} x ${c.lrDecay}^step, batch ${c.batchSize}, EMA ${c.emaDecay}, ` +
      `${c.bf16 ? 'bf16 autocast' : 'fp32'}, ${c.channelsLast ? 'channels_last' : 'NCHW'}, seed ${c.seed}`,
    '',
    '## Training',
    '',
    `- ${r.summary.steps} steps (${r.summary.skippedSteps} skipped) in ${r.summary.elapsedSeconds.toFixed(0)} s` +
      (r.lastLog
        ? `, ${r.lastLog.stepsPerSecond.toFixed(2)} steps/s (${r.lastLog.imagesPerSecond.toFixed(1)} images/s)`
        : ''),
    `- training loss: ${f4(r.firstLog?.loss ?? NaN)} bits/dim at step ${r.firstLog?.step ?? '-'} -> ${f4(r.lastLog?.loss ?? NaN)} at step ${r.lastLog?.step ?? '-'}`,
    ...(buckets.length ? [`- last loss per noise level: ${buckets.map(([k, v]) => `${k}: ${f4(v)}`).join(', ')}`] : []),
    ...(r.summary.lastEval
      ? [
          `- held-out bits/dim (EMA weights, t = 0): ${f4(r.summary.lastEval.bitsPerDim)} at step ${r.summary.lastEval.step}`,
        ]
      : []),
    '',
    '## Test set, LSB sanity test (paper Sec. 3.1), t = 0, EMA weights',
    '',
    `${r.testSource}: the first ${r.testExamples} test images, each bit-0 flipped with probability pi.`,
    '',
    '| pi | bits/dim (± s.e.) | Delta log p vs pi = 0 |',
    '| --- | --- | --- |',
    ...r.lsb.map((row) => `| ${row.pi} | ${f4(row.bitsPerDim)} ± ${f4(row.standardError)} | ${f4(row.deltaLogP)} |`),
    '',
    '## Files',
    '',
    `- checkpoint: \`${r.summary.checkpoint}\` (model.safetensors, ema.safetensors: PyTorch-style parameter names)`,
    `- metrics: \`${r.runDir}/metrics.jsonl\``,
    `- continue training: \`npm run ncml -- train --resume ${r.runDir} --steps <more>\``,
    `- evaluate: \`npm run ncml -- eval --checkpoint ${r.runDir}\``,
    '',
  ].join('\n');
}
