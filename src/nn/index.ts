export * as functional from './functional.js';
export * as init from './init.js';
export { Module, StateDictError } from './module.js';
export { Parameter, Buffer } from './parameter.js';
export { WeightedLayer } from './weighted-layer.js';
export { Linear, type LinearOptions } from './linear.js';
export { Conv2d, ConvTranspose2d, type Conv2dOptions, type ConvTranspose2dOptions } from './conv.js';
export { Embedding } from './embedding.js';
export * from './losses.js';
