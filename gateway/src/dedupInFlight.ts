/** What `join` hands a caller: the shared outcome, and whether another caller started it. */
export interface Joined<T> {
  outcome: Promise<T>;
  /** False for the caller whose `start` ran; true for every caller that joined it. */
  shared: boolean;
}

export interface DedupInFlight {
  /**
   * Runs `start` for `key` unless a run for the same key is still in flight, in which case the
   * caller waits for that one's outcome (value or error) instead. A key is forgotten as soon as
   * its run settles: nothing is cached beyond the flight.
   */
  join<T>(key: string, start: () => Promise<T>): Joined<T>;
  /** Keys in flight. */
  readonly size: number;
}

/**
 * In-flight deduplication: identical work asked for at the same time is done once. The outcome is
 * the same object for every waiter, so it must be something no waiter changes (a string, a
 * frozen value); callers that need their own copy make it from that.
 */
export function createDedupInFlight(): DedupInFlight {
  const flights = new Map<string, Promise<unknown>>();
  return {
    join<T>(key: string, start: () => Promise<T>): Joined<T> {
      const running = flights.get(key) as Promise<T> | undefined;
      if (running) return { outcome: running, shared: true };
      const outcome = start();
      flights.set(key, outcome);
      const forget = () => {
        if (flights.get(key) === outcome) flights.delete(key);
      };
      outcome.then(forget, forget);
      return { outcome, shared: false };
    },
    get size() {
      return flights.size;
    },
  };
}
