// A collective that failed: a peer was lost, a timeout passed, or the ranks
// disagreed. The message is c10d's, with the lost ranks when they are known.
export class DistributedError extends Error {
  /** Ranks found gone (no heartbeat, or the store they served is unreachable); empty when none is known. */
  readonly lostRanks: readonly number[];

  constructor(message: string, lostRanks: readonly number[] = []) {
    super(message);
    this.name = 'DistributedError';
    this.lostRanks = lostRanks;
  }
}

/** Runs a native collective; its failures become DistributedError. */
export function collective<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    const err = e as { message?: string; distributed?: boolean; lostRanks?: number[] };
    if (err?.distributed === true) throw new DistributedError(String(err.message), err.lostRanks ?? []);
    throw e;
  }
}
