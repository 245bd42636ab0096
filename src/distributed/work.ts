// The handle of a collective started with asyncOp: wait() before reading or
// writing its tensors (like torch.distributed's Work).
import { native } from '../binding/native.js';
import { collective } from './distributed-error.js';

export class Work {
  #id: number | null;

  /** @internal */
  constructor(id: number) {
    this.#id = id;
  }

  get waited(): boolean {
    return this.#id === null;
  }

  /** Blocks until the collective is done (throws DistributedError if it failed). Idempotent. */
  wait(): void {
    if (this.#id === null) return;
    const id = this.#id;
    this.#id = null;
    collective(() => native.distWait(id));
  }
}
