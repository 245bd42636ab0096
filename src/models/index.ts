export * from './ncpn/index.js';
