// Distributed training primitives on libtorch's c10d (Gloo), with PyTorch's names.
export {
  initProcessGroup,
  destroyProcessGroup,
  isInitialized,
  isAvailable,
  getDefaultGroup,
  getRank,
  getWorldSize,
  ProcessGroup,
  DEFAULT_TIMEOUT_SECONDS,
  type Backend,
  type InitProcessGroupOptions,
} from './process-group.js';
export { parseInitMethod, formatInitMethod, isLoopback, InitMethodError, type InitMethod } from './init-method.js';
export { DistributedError } from './distributed-error.js';
export { allReduce, type ReduceOp, type AllReduceOptions, type CollectiveOptions } from './all-reduce.js';
export { broadcast, type BroadcastOptions } from './broadcast.js';
export { barrier } from './barrier.js';
export { allGather } from './all-gather.js';
export { broadcastObject } from './broadcast-object.js';
export { Work } from './work.js';
export {
  Coalescer,
  assignBuckets,
  allReduceCoalesced,
  broadcastCoalesced,
  DEFAULT_BUCKET_BYTES,
  type TensorSpec,
  type CoalescerOptions,
} from './coalesced.js';
