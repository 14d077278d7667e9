/**
 * The one module that knows cron: parsing a BackupSchedule's `spec.schedule` (robfig/cron
 * `ParseStandard` syntax) and finding ticks. Instants are epoch milliseconds (UTC).
 *
 * STUB: the interface is fixed; the implementation is being written (see the cron issue note).
 */

/** A parsed schedule. Opaque to callers: only this module looks inside. */
export interface Schedule {
  /** The expression as written in the spec. */
  readonly expression: string;
  /** IANA zone the ticks are computed in ("UTC" by default). */
  readonly timeZone: string;
}

/** The result of parsing: a schedule, or a message a user can act on. */
export type ParseScheduleResult =
  | { ok: true; schedule: Schedule }
  | { ok: false; error: string };

/** Options of {@link parseSchedule}. */
export interface ParseScheduleOptions {
  /** IANA time zone name; default "UTC". */
  timeZone?: string;
}

/** parseSchedule parses a 5-field cron, a macro or `@every <Go duration>`; it never throws. */
export function parseSchedule(expression: string, options: ParseScheduleOptions = {}): ParseScheduleResult {
  void expression;
  void options;
  throw new Error('not implemented');
}

/** Window of {@link mostRecentTick}: ticks `t` with `after < t <= atOrBefore`. */
export interface TickWindow {
  /** Exclusive lower bound; also the anchor of `@every` schedules (ticks at after + k·d). */
  after: number;
  /** Inclusive upper bound (usually "now"). */
  atOrBefore: number;
}

/** mostRecentTick returns the newest tick in the window, or null; its cost does not grow with the window. */
export function mostRecentTick(schedule: Schedule, window: TickWindow): number | null {
  void schedule;
  void window;
  throw new Error('not implemented');
}

/** Options of {@link nextTick}. */
export interface NextTickOptions {
  /** Exclusive lower bound. */
  after: number;
  /** Anchor of `@every` schedules: their ticks are anchor + k·d. Ignored by cron schedules. */
  anchor: number;
}

/** nextTick returns the first tick strictly after `options.after`, or null if the schedule never fires. */
export function nextTick(schedule: Schedule, options: NextTickOptions): number | null {
  void schedule;
  void options;
  throw new Error('not implemented');
}
