/** A size-bounded, least-recently-used memo for values that are costly to compute and never change (parsed schedules, zones). */

/** BoundedMemo keeps the most recently used `capacity` entries and forgets the least recently used. */
export class BoundedMemo<V> {
  readonly #entries = new Map<string, V>();
  readonly #capacity: number;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** get returns the remembered value of `key`, computing and remembering it on a miss. */
  get(key: string, compute: (key: string) => V): V {
    const entries = this.#entries;
    if (entries.has(key)) {
      const value = entries.get(key) as V;
      entries.delete(key); // re-insert: Map order is recency order
      entries.set(key, value);
      return value;
    }
    const value = compute(key);
    entries.set(key, value);
    if (entries.size > this.#capacity) entries.delete(entries.keys().next().value as string);
    return value;
  }

  /** size is the number of remembered entries. */
  get size(): number {
    return this.#entries.size;
  }
}
