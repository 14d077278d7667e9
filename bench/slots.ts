/** Section 3: "most recent slot after the watermark, at or before now" against the gap, next to upstream's algorithm. */

import { formatTime } from '../src/core/time.js';
import type { WallMatcher } from '../test/support/brute-force-ticks.js';
import { timeRounds } from './timer.js';

/** The five expressions of issue 7, each with its meaning written by hand for the brute-force reference. */
export const SLOT_CASES: readonly { expression: string; matches: WallMatcher }[] = [
  { expression: '* * * * *', matches: () => true },
  { expression: '*/10 * * * *', matches: (w) => w.minute % 10 === 0 },
  { expression: '0 2 * * *', matches: (w) => w.minute === 0 && w.hour === 2 },
  { expression: '30 10,11,12 * * 1-5', matches: (w) => w.minute === 30 && w.hour >= 10 && w.hour <= 12 && w.weekday >= 1 && w.weekday <= 5 },
  { expression: '0 0 29 2 *', matches: (w) => w.minute === 0 && w.hour === 0 && w.day === 29 && w.month === 2 },
];

/**
 * The instant the slots are computed at: fixed, so the table reads the same on every run; a Friday noon two
 * years after a 29 February, so that every expression has an answer in the longest gap.
 */
export const SLOT_NOW = Date.UTC(2026, 1, 27, 12, 7, 13, 500);

/** The three gaps between the watermark and now. */
export const SLOT_GAPS = [
  { label: '1 hour', ms: 3_600_000 },
  { label: '30 days', ms: 30 * 86_400_000 },
  { label: '2 years', ms: 730 * 86_400_000 },
] as const;

/** A window of ticks `t` with `after < t <= atOrBefore`. */
export interface SlotWindow {
  after: number;
  atOrBefore: number;
}

/** What upstream's iterate-next() loop finds, and what it cost. */
export interface UpstreamAnswer {
  slot: number | null;
  /** next() calls made. */
  nextCalls: number;
  /** More than 1,000 missed ticks: upstream runs nothing in this pass. */
  tooMany: boolean;
}

/** The three implementations compared: ours, upstream's port and the brute-force reference. */
export interface SlotImplementations {
  /** Prepared once per expression (parsing is not timed); answers the window. */
  ours(expression: string): (window: SlotWindow) => number | null;
  /** Upstream's iterate-next() port. */
  upstream(expression: string): (window: SlotWindow) => UpstreamAnswer;
  /** The slow, obviously right answer from the expression's hand-written meaning. */
  reference(matches: WallMatcher, window: SlotWindow): number | null;
}

/** One expression × gap. */
export interface SlotRow {
  expression: string;
  gap: string;
  slot: string | null;
  oursUs: number;
  upstreamUs: number;
  upstreamNextCalls: number;
  upstreamSlot: string | null;
  /** Upstream gave up: more than 1,000 ticks since the watermark. */
  upstreamTooMany: boolean;
}

/** Section 3's result. */
export interface SlotsResult {
  now: string;
  rows: SlotRow[];
  /** Slowest of ours over every case, µs. */
  worstOursUs: number;
  /** Largest ratio of ours at the 2-year gap to ours at the 1-hour gap, over the expressions. */
  worstGapGrowth: number;
  /** The same ratio for upstream's port. */
  worstUpstreamGapGrowth: number;
}

/**
 * measureSlots times every case and throws if ours differs from the reference in any of them: a fast wrong
 * answer is not a result.
 */
export function measureSlots(impl: SlotImplementations, options: { now: number; rounds: number; roundMs: number }): SlotsResult {
  const rows: SlotRow[] = [];
  const mismatches: string[] = [];
  for (const { expression, matches } of SLOT_CASES) {
    const ours = impl.ours(expression);
    const upstream = impl.upstream(expression);
    for (const gap of SLOT_GAPS) {
      const window = { after: options.now - gap.ms, atOrBefore: options.now };
      const expected = impl.reference(matches, window);
      const got = ours(window);
      if (got !== expected) mismatches.push(`${expression} over ${gap.label}: ours ${show(got)}, reference ${show(expected)}`);
      const up = upstream(window);
      if (!up.tooMany && up.slot !== expected) {
        mismatches.push(`${expression} over ${gap.label}: upstream's port ${show(up.slot)}, reference ${show(expected)}`);
      }
      rows.push({
        expression,
        gap: gap.label,
        slot: show(expected),
        oursUs: microsPerCall(() => ours(window), options),
        upstreamUs: microsPerCall(() => upstream(window), options),
        upstreamNextCalls: up.nextCalls,
        upstreamSlot: show(up.slot),
        upstreamTooMany: up.tooMany,
      });
    }
  }
  if (mismatches.length > 0) {
    throw new Error(`slot computation disagrees with the brute-force reference; fix src/core/schedule.ts (or the port):\n  ${mismatches.join('\n  ')}`);
  }
  const growth = (field: 'oursUs' | 'upstreamUs'): number =>
    Math.max(
      ...SLOT_CASES.map(({ expression }) => {
        const at = (label: string): number => rows.find((r) => r.expression === expression && r.gap === label)?.[field] ?? NaN;
        return at('2 years') / at('1 hour');
      }),
    );
  return {
    now: formatTime(options.now),
    rows,
    worstOursUs: Math.max(...rows.map((r) => r.oursUs)),
    worstGapGrowth: growth('oursUs'),
    worstUpstreamGapGrowth: growth('upstreamUs'),
  };
}

/** Calls per timed batch: enough that the timer's own cost disappears for sub-microsecond calls. */
const BATCH = 100;

function microsPerCall(call: () => unknown, options: { rounds: number; roundMs: number }): number {
  const batch = (): number => {
    const start = performance.now();
    for (let i = 0; i < BATCH; i++) call();
    return performance.now() - start;
  };
  const timed = timeRounds(batch, { rounds: options.rounds, roundMs: options.roundMs, warmup: { iterations: 50, maxMs: 200 } });
  return (timed.medianMs * 1000) / BATCH;
}

function show(instant: number | null): string | null {
  return instant === null ? null : formatTime(instant);
}
