export * from './bits-per-dim.js';
export * from './lsb.js';
