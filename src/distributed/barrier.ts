// barrier: returns once every rank of the group has reached it.
import { native } from '../binding/native.js';
import type { CollectiveOptions } from './all-reduce.js';
import { collective } from './distributed-error.js';
import { getDefaultGroup } from './process-group.js';

export function barrier(opts: CollectiveOptions = {}): void {
  const group = opts.group ?? getDefaultGroup();
  collective(() => native.distBarrier(group.id, opts.checked ?? true));
}
