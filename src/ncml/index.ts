// The NCML building blocks shared by the model, the trainer, the evaluations and the samplers.
export { bitflip } from './bitflip.js';
export * from './sde/index.js';
export * as mixture from './mixture/index.js';
export { GaussianFourierProjection, NoiseEmbedding, type NoiseEmbeddingOptions } from './noise-embedding.js';
export * from './perturbation.js';
export { pixelHistogram, uniformPixelHistogram } from './pixel-histogram.js';
export * from './t-distribution.js';
