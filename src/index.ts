// ncml: noise-conditional maximum likelihood for autoregressive image models.
export * from './tensor/index.js';
export * as distributed from './distributed/index.js';
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
export * as data from './data/index.js';
export * as safetensors from './serialization/safetensors.js';
export * from './ncml/index.js';
export * from './models/index.js';
export * as runs from './runs/index.js';
export * as sampling from './sampling/index.js';
export * as train from './train/index.js';
export * as evaluation from './eval/index.js';
