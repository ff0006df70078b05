/** What `join` hands a caller: the shared outcome, and whether another caller started it. */
export interface Joined<T> {
  outcome: Promise<T>;
  /** False for the caller whose `start` ran; true for every caller that joined it. */
  shared: boolean;
}

export interface DedupInFlight {
  /**
   * Runs `start` for `key` within `group` unless a run for the same group and key is still in
   * flight, in which case the caller waits for that one's outcome (value or error) instead. A key
   * is forgotten as soon as its run settles: nothing is cached beyond the flight. (Two levels, so
   * that a long key is looked up as it is, never copied into one string with its group.)
   */
  join<T>(group: string, key: string, start: () => Promise<T>): Joined<T>;
  /** Runs in flight. */
  readonly size: number;
}

/**
 * In-flight deduplication: identical work asked for at the same time is done once. The outcome is
 * the same object for every waiter, so it must be something no waiter changes (a string, a
 * frozen value); callers that need their own copy make it from that.
 */
export function createDedupInFlight(): DedupInFlight {
  const groups = new Map<string, Map<string, Promise<unknown>>>();
  let size = 0;
  return {
    join<T>(group: string, key: string, start: () => Promise<T>): Joined<T> {
      let flights = groups.get(group);
      const running = flights?.get(key) as Promise<T> | undefined;
      if (running) return { outcome: running, shared: true };
      if (!flights) {
        flights = new Map();
        groups.set(group, flights);
      }
      const outcome = start();
      flights.set(key, outcome);
      size += 1;
      const forget = () => {
        size -= 1;
        flights.delete(key);
        if (flights.size === 0) groups.delete(group);
      };
      outcome.then(forget, forget);
      return { outcome, shared: false };
    },
    get size() {
      return size;
    },
  };
}
