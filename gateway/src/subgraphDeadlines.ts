/** Something that must be over by its deadline, or be told that it is late. */
export interface Deadline {
  /** Milliseconds since the epoch; set by `Deadlines.add`. */
  deadline: number;
  /** True once it finished by itself: a settled entry is never expired. */
  settled: boolean;
  /** Called once, when the deadline passed before it settled. */
  expire(): void;
}

export interface Deadlines {
  /** Starts `entry`'s time: it expires `timeoutMs` from now unless settled before. */
  add(entry: Deadline): void;
  /** Entries waiting (settled ones are dropped as the queue advances). */
  readonly size: number;
}

/**
 * Deadlines that all last the same `timeoutMs`, on one timer. Entries added later end later, so
 * they wait in a queue in the order they were added; the one timer is set for the oldest entry
 * still running, and settled entries cost nothing but their place in the queue until it moves
 * past them. Adding an entry allocates no timer and no `AbortController`.
 */
export function createDeadlines(timeoutMs: number): Deadlines {
  let queue: Deadline[] = [];
  let head = 0;
  let timer: NodeJS.Timeout | undefined;

  /** Drops settled entries from the front, so that the queue holds mostly running ones. */
  const advance = () => {
    while (head < queue.length && queue[head]!.settled) head += 1;
    if (head === queue.length) {
      queue = [];
      head = 0;
    } else if (head > 1024 && head * 2 > queue.length) {
      queue = queue.slice(head);
      head = 0;
    }
  };

  const schedule = (delay: number) => {
    timer = setTimeout(fire, Math.max(0, delay));
    timer.unref();
  };

  const fire = () => {
    timer = undefined;
    const now = Date.now();
    for (;;) {
      advance();
      const next = queue[head];
      if (!next) return;
      if (next.deadline > now) {
        schedule(next.deadline - now);
        return;
      }
      head += 1;
      next.expire();
    }
  };

  return {
    add(entry) {
      entry.deadline = Date.now() + timeoutMs;
      advance();
      queue.push(entry);
      if (!timer) schedule(timeoutMs);
    },
    get size() {
      return queue.length - head;
    },
  };
}
