// Out-of-distribution detection (paper Sec. 5, App. A.2.2): statistics, metrics, sets, report.
export * from './statistic.js';
export * from './ood-batch.js';
export * from './nll.js';
export * from './typicality.js';
export * from './likelihood-ratio.js';
export * from './score-norm.js';
export * from './default-statistics.js';
export * from './compute-statistics.js';
export * from './detection-metrics.js';
export * from './bootstrap.js';
export * from './synthetic-sets.js';
export * from './ood-data.js';
export * from './evaluate-ood.js';
export * from './anchors.js';
export * from './ood-report.js';
