// Run directories: configs, checkpoints, metrics, and trained models loaded from them.
export * from './config.js';
export * from './checkpoint.js';
export * from './metrics.js';
export * from './run-dir.js';
export * from './load.js';
export * from './data.js';
