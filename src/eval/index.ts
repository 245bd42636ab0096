export * from './bits-per-dim.js';
