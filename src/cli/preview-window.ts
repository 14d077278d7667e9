/**
 * Bounds of a preview. The preview simulates every sync (a resync each 5 minutes, about 3 s per simulated year), each
 * sync costs about 3 µs per Backup it carries, and it keeps every Backup it creates: its time grows with the window and
 * with the Backups kept (the square of the window without retention), its memory with the ticks. Unbounded, a
 * `--for 99999999d` ran for ever, a month of `@every 1m` took 730 MB, and a year of a nightly schedule without retention
 * took 64 s (two hours of `@every 1s` without retention, 14 minutes).
 */

import { nextTick } from '../core/schedule.js';
import type { ScheduleSpec } from '../core/spec.js';
import { formatTime } from '../core/time.js';
import type { PreviewTooLargeError } from '../sim/preview.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** The longest window: ten years (a nightly schedule's ten years take about half a minute). */
export const MAX_PREVIEW_DAYS = 3660;
/** The most ticks a window may hold (10,000 Backups are a few hundred MB of simulated objects). */
export const MAX_PREVIEW_TICKS = 10_000;
/** The most children all the preview's syncs may carry, summed (10 million: about 30 s). */
export const MAX_SYNCED_CHILDREN = 10_000_000;
/** The instants a window may span: from the Unix epoch to the last day the core finds cron ticks on. */
const EARLIEST = Date.UTC(1970, 0, 1);
const LATEST = Date.UTC(9999, 11, 29);

/** previewWindowProblem says what to change when a window is too long, holds too many ticks, or lies outside 1970–9999; null when it is fine. */
export function previewWindowProblem(spec: ScheduleSpec, window: { from: number; forMs: number; forText: string }): string | null {
  const { from, forMs, forText } = window;
  if (!(forMs <= MAX_PREVIEW_DAYS * DAY)) {
    return `--for "${forText}" is longer than a preview runs: at most ${MAX_PREVIEW_DAYS}d (ten years; the preview simulates every sync, about 3 s per simulated year); give a shorter --for`;
  }
  if (from < EARLIEST || from + forMs > LATEST) {
    return `the window ${formatTime(from)} + ${forText} is outside ${formatTime(EARLIEST)} to ${formatTime(LATEST)}; give a --from (and --for) inside it`;
  }
  // The window may hold MAX_PREVIEW_TICKS ticks: look for one more. The --for suggested ends at the last one allowed.
  let at = from;
  let allowed = from;
  for (let ticks = 0; ticks <= MAX_PREVIEW_TICKS; ticks++) {
    // A new schedule's @every ticks count from its creation, the start of the preview.
    const tick = nextTick(spec.schedule, { after: at, anchor: from });
    if (tick === null || tick > from + forMs) return null;
    allowed = at;
    at = tick;
  }
  return (
    `--for "${forText}" holds more than ${MAX_PREVIEW_TICKS} ticks of "${spec.schedule.expression}", and the preview simulates each one; ` +
    `give a shorter --for, such as ${spanText(allowed - from)}`
  );
}

/** tooLargeProblem says what to change when the preview stopped at its work bound. */
export function tooLargeProblem(error: PreviewTooLargeError, window: { from: number }): string {
  return (
    `the preview stopped at ${formatTime(error.reachedAt)}: the schedule keeps ${error.children} Backups by then, and every simulated sync carries them all; ` +
    `give a shorter --for, such as ${spanText(error.reachedAt - window.from)}, or a retention (maxBackups, maxReservedTime or spec.retention)`
  );
}

/** spanText writes a span rounded down to whole days, hours or minutes, as --for takes it. */
function spanText(ms: number): string {
  if (ms >= DAY) return `${Math.floor(ms / DAY)}d`;
  if (ms >= HOUR) return `${Math.floor(ms / HOUR)}h`;
  return `${Math.max(1, Math.floor(ms / MINUTE))}m`;
}
