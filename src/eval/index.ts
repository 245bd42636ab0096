export * from './bits-per-dim.js';
export * from './lsb.js';
export * as ood from './ood/index.js';
export * as quality from './quality/index.js';
