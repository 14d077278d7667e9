/**
 * client-go's rate-limited delaying work queue as Metacontroller uses it: a key is queued once, a key being
 * processed is re-queued when it is done, AddAfter keeps the earliest time per key, and failures back off
 * 5 ms·2ⁿ (capped at 1000 s) until Forget.
 */

import type { Timer, VirtualClock } from './clock.js';

/** Per-item exponential backoff of client-go's default controller rate limiter. */
export const BACKOFF_BASE_MS = 5;
/** Its cap. */
export const BACKOFF_MAX_MS = 1_000_000;

/** A per-item exponential backoff: base·2ⁿ, capped. */
export interface Backoff {
  baseMs: number;
  maxMs: number;
}

/** Metacontroller's (client-go's default): 5 ms·2ⁿ capped at 1000 s. */
export const METACONTROLLER_BACKOFF: Backoff = { baseMs: BACKOFF_BASE_MS, maxMs: BACKOFF_MAX_MS };

/** backoffMs returns the delay of the n-th consecutive failure (n from 0). */
export function backoffMs(failures: number, backoff: Backoff = METACONTROLLER_BACKOFF): number {
  return Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.min(failures, 40));
}

/** WorkQueue hands keys to the workers in the order they were added, never a key that a worker holds. */
export class WorkQueue {
  private readonly queued: string[] = [];
  private readonly queuedSet = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly waiting = new Map<string, Timer>();
  private readonly failures = new Map<string, number>();
  private shuttingDown = false;

  private readonly onReady: () => void;
  private readonly backoff: Backoff;

  constructor(
    private readonly clock: VirtualClock,
    options: { onReady: () => void; backoff?: Backoff },
  ) {
    this.onReady = options.onReady;
    this.backoff = options.backoff ?? METACONTROLLER_BACKOFF;
  }

  /** add queues a key now (or marks it to run again if it is being processed). */
  add(key: string): void {
    if (this.shuttingDown) return;
    if (this.processing.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queuedSet.has(key)) return;
    this.queuedSet.add(key);
    this.queued.push(key);
    this.onReady();
  }

  /** addAfter queues a key after a delay; only the earliest pending time per key is kept. */
  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const at = this.clock.now + delayMs;
    const pending = this.waiting.get(key);
    if (pending !== undefined && !pending.cancelled && pending.at <= at) return;
    if (pending !== undefined) pending.cancelled = true;
    const timer = this.clock.at(at, () => {
      if (this.waiting.get(key) === timer) this.waiting.delete(key);
      this.add(key);
    });
    this.waiting.set(key, timer);
  }

  /** addRateLimited queues a key after its backoff and counts a failure. */
  addRateLimited(key: string): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    const delay = backoffMs(n, this.backoff);
    this.addAfter(key, delay);
    return delay;
  }

  /** forget resets a key's backoff after a success. */
  forget(key: string): void {
    this.failures.delete(key);
  }

  /** get takes the next key for the worker, or undefined. */
  get(): string | undefined {
    const key = this.queued.shift();
    if (key === undefined) return undefined;
    this.queuedSet.delete(key);
    this.processing.add(key);
    return key;
  }

  /** done ends the processing of a key; a key added meanwhile is queued again. */
  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.delete(key)) this.add(key);
  }

  /**
   * shutDown drops every key, queued or waiting (its delayed adds never fire), and every failure count, and takes no
   * key any more: the process holding the queue is gone (client-go's ShutDown, then the memory lost).
   */
  shutDown(): void {
    this.shuttingDown = true;
    for (const timer of this.waiting.values()) timer.cancelled = true;
    this.waiting.clear();
    this.queued.length = 0;
    this.queuedSet.clear();
    this.processing.clear();
    this.dirty.clear();
    this.failures.clear();
  }

  /** The number of keys ready for the worker. */
  get length(): number {
    return this.queued.length;
  }
}
