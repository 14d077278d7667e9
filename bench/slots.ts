/** Section 3: "most recent slot after the watermark, at or before now" against the gap, next to upstream's algorithm. */

import { formatTime } from '../src/core/time.js';
import { timeRounds } from './timer.js';

/** The five expressions of issue 7. */
export const SLOT_EXPRESSIONS = ['* * * * *', '*/10 * * * *', '0 2 * * *', '30 10,11,12 * * 1-5', '0 0 29 2 *'] as const;

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

/** The three implementations compared: ours, upstream's port and the brute-force reference. */
export interface SlotImplementations {
  /** Prepared once per expression (parsing is not timed); answers the window. */
  ours(expression: string): (window: SlotWindow) => number | null;
  /** Upstream's iterate-next() port: the slot it would run and how many next() calls it made. */
  upstream(expression: string): (window: SlotWindow) => { slot: number | null; nextCalls: number };
  /** The slow, obviously right answer. */
  reference(expression: string, window: SlotWindow): number | null;
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
  /** Whether upstream would run the same slot (it gives up beyond 1,000 ticks). */
  upstreamAgrees: boolean;
}

/** Section 3's result. */
export interface SlotsResult {
  now: string;
  rows: SlotRow[];
  /** Slowest of ours over every case, µs. */
  worstOursUs: number;
  /** Largest ratio of ours at the 2-year gap to ours at the 1-hour gap, over the expressions. */
  worstGapGrowth: number;
}

/**
 * measureSlots times every case and throws if ours differs from the reference in any of them: a fast wrong
 * answer is not a result.
 */
export function measureSlots(impl: SlotImplementations, options: { now: number; rounds: number; roundMs: number }): SlotsResult {
  const rows: SlotRow[] = [];
  const mismatches: string[] = [];
  for (const expression of SLOT_EXPRESSIONS) {
    const ours = impl.ours(expression);
    const upstream = impl.upstream(expression);
    for (const gap of SLOT_GAPS) {
      const window = { after: options.now - gap.ms, atOrBefore: options.now };
      const expected = impl.reference(expression, window);
      const got = ours(window);
      if (got !== expected) mismatches.push(`${expression} over ${gap.label}: ours ${show(got)}, reference ${show(expected)}`);
      const up = upstream(window);
      rows.push({
        expression,
        gap: gap.label,
        slot: show(expected),
        oursUs: microsPerCall(() => ours(window), options),
        upstreamUs: microsPerCall(() => upstream(window), options),
        upstreamNextCalls: up.nextCalls,
        upstreamSlot: show(up.slot),
        upstreamAgrees: up.slot === expected,
      });
    }
  }
  if (mismatches.length > 0) {
    throw new Error(`slot computation disagrees with the brute-force reference; fix src/core/schedule.ts:\n  ${mismatches.join('\n  ')}`);
  }
  const growth = SLOT_EXPRESSIONS.map((e) => {
    const at = (label: string): number => rows.find((r) => r.expression === e && r.gap === label)?.oursUs ?? NaN;
    return at('2 years') / at('1 hour');
  });
  return {
    now: formatTime(options.now),
    rows,
    worstOursUs: Math.max(...rows.map((r) => r.oursUs)),
    worstGapGrowth: Math.max(...growth),
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
