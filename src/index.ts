// ncml: noise-conditional maximum likelihood for autoregressive image models.
export * from './tensor/index.js';
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
