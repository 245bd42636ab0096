export * from './bits-per-dim.js';
export * from './lsb.js';
export * from './lsb-report.js';
export * from './model-info.js';
export * from './noise-sweep.js';
export * from './noise-sweep-report.js';
export * from './result.js';
export * as ood from './ood/index.js';
export * as quality from './quality/index.js';
