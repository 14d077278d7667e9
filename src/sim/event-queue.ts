/** A priority queue of timed events (binary min-heap); equal times keep insertion order, so runs are deterministic. */

/** An event waiting in the queue. */
export interface QueuedEvent<T> {
  /** When it fires (epoch ms of the virtual clock). */
  at: number;
  /** Insertion order, the tie-breaker. */
  seq: number;
  value: T;
}

/** EventQueue pops the earliest event first; among equal times, the one pushed first. */
export class EventQueue<T> {
  private readonly heap: QueuedEvent<T>[] = [];
  private nextSeq = 0;

  /** The number of queued events. */
  get size(): number {
    return this.heap.length;
  }

  /** push queues a value at an instant. */
  push(at: number, value: T): QueuedEvent<T> {
    const event: QueuedEvent<T> = { at, seq: this.nextSeq++, value };
    const heap = this.heap;
    heap.push(event);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent] as QueuedEvent<T>;
      if (!before(event, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = event;
    return event;
  }

  /** peek returns the earliest event without removing it. */
  peek(): QueuedEvent<T> | undefined {
    return this.heap[0];
  }

  /** pop removes and returns the earliest event. */
  pop(): QueuedEvent<T> | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const l = heap[left] as QueuedEvent<T>;
      const r = heap[right];
      const child = r !== undefined && before(r, l) ? right : left;
      const c = heap[child] as QueuedEvent<T>;
      if (!before(c, last)) break;
      heap[i] = c;
      i = child;
    }
    heap[i] = last;
    return top;
  }
}

function before<T>(a: QueuedEvent<T>, b: QueuedEvent<T>): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
