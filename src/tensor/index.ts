// The tensor engine's public surface.
export * from './dtype.js';
export {
  Tensor,
  type Scalar,
  type TensorLike,
  type Shape,
  type ShapeArgs,
  type Dims,
  type ToOptions,
  type BackwardOptions,
} from './tensor.js';
export * from './creation.js';
export * from './ops.js';
export * from './autograd.js';
export * from './random.js';
export * from './autocast.js';
export * as linalg from './linalg.js';
export { scope, keep, disposeAll, scopeDepth } from './scope.js';
export { engineInfo, setNumThreads, getNumThreads, cudaDeviceCount } from './engine.js';
export { gradcheck, GradcheckError, type GradcheckOptions } from './gradcheck.js';
export { profile, formatProfile, type OpProfile } from './profiler.js';
export { countFlops } from './flops.js';
