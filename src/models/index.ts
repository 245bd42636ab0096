export * from './ncpn/index.js';
export * from './likelihood.js';
export { modelDevice } from './device.js';
