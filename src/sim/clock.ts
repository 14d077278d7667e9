/** The simulator's virtual clock: it jumps from event to event, never stepping through idle time. */

import { EventQueue } from './event-queue.js';

/** Something that happens at an instant; it may wait for I/O (the HTTP hook). */
export type Action = () => void | Promise<void>;

/** A scheduled action that can be cancelled before it fires. */
export interface Timer {
  readonly at: number;
  cancelled: boolean;
}

interface Entry {
  timer: Timer;
  action: Action;
}

/** VirtualClock runs scheduled actions in time order and reads `now` as the instant of the running action. */
export class VirtualClock {
  private readonly queue = new EventQueue<Entry>();
  private current: number;
  private fired = 0;

  constructor(start: number) {
    this.current = start;
  }

  /** The current virtual instant (epoch ms). */
  get now(): number {
    return this.current;
  }

  /** How many actions have run so far. */
  get eventsRun(): number {
    return this.fired;
  }

  /** at schedules an action at an instant (never earlier than now). */
  at(instant: number, action: Action): Timer {
    const timer: Timer = { at: Math.max(instant, this.current), cancelled: false };
    this.queue.push(timer.at, { timer, action });
    return timer;
  }

  /** after schedules an action `delayMs` from now. */
  after(delayMs: number, action: Action): Timer {
    return this.at(this.current + Math.max(0, delayMs), action);
  }

  /** runUntil runs every action due at or before `end`, in order, then leaves the clock at `end`. */
  async runUntil(end: number): Promise<void> {
    for (;;) {
      const next = this.queue.peek();
      if (next === undefined || next.at > end) break;
      this.queue.pop();
      if (next.value.timer.cancelled) continue;
      this.current = next.at;
      this.fired += 1;
      const result = next.value.action();
      if (result !== undefined) await result;
    }
    this.current = Math.max(this.current, end);
  }
}
