// Run directories: configs, checkpoints, metrics, and trained models loaded from them.
export * from './config.js';
export * from './checkpoint.js';
export * from './metrics.js';
export * from './run-dir.js';
export * from './load.js';
export * from './data.js';
export * from './status.js';
export * from './checkpoint-check.js';
export * from './outputs.js';
