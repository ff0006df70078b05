interface Entry {
  /** Checks admitted under this key and not yet settled. */
  holders: number;
  /** Admissions reading or waiting on this key; the entry outlives none of them. */
  watchers: number;
  /** How many checks under this key have settled, ever: a change means the counts moved. */
  releases: number;
  wake: Array<() => void>;
}

/**
 * The password checks running in this process, by throttle key. A throttle that counts failures
 * only after the password is checked would otherwise let a burst of concurrent guesses all pass
 * its check at once; with this, each key admits only as many concurrent checks as its budget has
 * failures left, and the others wait for one to settle instead of being refused, so that right
 * passwords sent together all get through.
 */
export class InFlightChecks {
  private readonly entries = new Map<string, Entry>();

  /**
   * Admits one check under every key of `keys`: reads the budgets with `read` (which may throw to
   * refuse), asks `fits(budgets, inFlight)` whether they leave room beside the checks in flight
   * (`inFlight[i]` for `keys[i]`), and otherwise waits for a check under those keys to settle and
   * asks again. A check that settled while `read` ran makes it read again, so its counts are never
   * missed. Resolves with the function that settles the admitted check (idempotent).
   */
  async admit<T>(
    keys: readonly string[],
    read: () => Promise<T>,
    fits: (budgets: T, inFlight: number[]) => boolean,
  ): Promise<() => void> {
    const entries = keys.map((key) => this.entryOf(key));
    for (const entry of entries) entry.watchers += 1;
    try {
      for (;;) {
        const releases = entries.map((entry) => entry.releases);
        const budgets = await read();
        if (entries.some((entry, i) => entry.releases !== releases[i])) continue;
        if (
          fits(
            budgets,
            entries.map((entry) => entry.holders),
          )
        ) {
          for (const entry of entries) entry.holders += 1;
          let settled = false;
          return () => {
            if (settled) return;
            settled = true;
            this.settle(keys, entries);
          };
        }
        await new Promise<void>((resolve) => {
          const wake = () => {
            for (const entry of entries) entry.wake = entry.wake.filter((other) => other !== wake);
            resolve();
          };
          for (const entry of entries) entry.wake.push(wake);
        });
      }
    } finally {
      entries.forEach((entry, i) => {
        entry.watchers -= 1;
        this.prune(keys[i] ?? '', entry);
      });
    }
  }

  /** Checks in flight under `key` (for tests and metrics). */
  inFlight(key: string): number {
    return this.entries.get(key)?.holders ?? 0;
  }

  private entryOf(key: string): Entry {
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { holders: 0, watchers: 0, releases: 0, wake: [] };
      this.entries.set(key, entry);
    }
    return entry;
  }

  private settle(keys: readonly string[], entries: Entry[]): void {
    entries.forEach((entry, i) => {
      entry.holders -= 1;
      entry.releases += 1;
      for (const wake of [...entry.wake]) wake();
      this.prune(keys[i] ?? '', entry);
    });
  }

  private prune(key: string, entry: Entry): void {
    if (entry.holders === 0 && entry.watchers === 0) this.entries.delete(key);
  }
}
