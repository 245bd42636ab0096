export { Optimizer, OptimizerStateError, type OptimizerState, type ParamState } from './optimizer.js';
export { Adam, type AdamOptions } from './adam.js';
export { Adamax, type AdamaxOptions } from './adamax.js';
export * from './lr-schedule.js';
export { clipGradNorm_, gradNorm } from './clip-grad.js';
export { EMA, type EmaOptions } from './ema.js';
