/**
 * Pins a user sets and removes (faults `backup-pinned`, `backup-unpinned`: `kubectl annotate backup …
 * backup-schedule-hook/keep=true`, and `keep-`), added to every run of any scenario arbitrary: up to three pins of
 * the newest or the oldest unpinned snapshot Backup, each removed again later in half the runs (the newest, the oldest
 * or every pinned one). Instants are even over the faulty part of the run, as the mixed worlds' own faults are (the
 * run but its last three days, or its first two thirds when shorter), so that invariant 5 still has quiet days after
 * them. The draws come after the scenario's own (and after anything the arbitrary adds), so the rest of a run is the
 * scenario the arbitrary drew without them.
 */

import fc from 'fast-check';

import type { Fault, Scenario } from '../../../src/sim/scenario.js';
import { evenDouble } from '../../support/even-double.js';

const DAY = 86_400_000;

/** A pin (and maybe its removal) before the run it lands in is known: instants as shares. */
interface RawPin {
  at: number;
  which: 'newest' | 'oldest';
  unpin: { after: number; which: 'newest' | 'oldest' | 'all' } | null;
}

const rawPinArb: fc.Arbitrary<RawPin> = fc.record({
  at: evenDouble({ min: 0, max: 1, maxExcluded: true }),
  which: fc.constantFrom('newest' as const, 'oldest' as const),
  unpin: fc.option(fc.record({ after: evenDouble({ min: 0, max: 1, maxExcluded: true }), which: fc.constantFrom('newest' as const, 'oldest' as const, 'all' as const) }), { nil: null }),
});

/** faultySpanMs is the part of a run pins land in: all but its last three days, or its first two thirds when shorter. */
function faultySpanMs(scenario: Scenario): number {
  return Math.max(scenario.durationMs - 3 * DAY, Math.floor((scenario.durationMs * 2) / 3));
}

/** placePin turns a drawn pin into its faults: the pin, and its removal somewhere between it and the span's end. */
function placePin(scenario: Scenario, raw: RawPin): Fault[] {
  const span = faultySpanMs(scenario);
  const atMs = Math.floor(raw.at * span);
  const pin: Fault = { kind: 'backup-pinned', atMs, which: raw.which };
  if (raw.unpin === null) return [pin];
  return [pin, { kind: 'backup-unpinned', atMs: atMs + Math.floor(raw.unpin.after * (span - atMs)), which: raw.unpin.which }];
}

/** withPins adds up to three pins, half of them removed later, to every scenario of the arbitrary. */
export function withPins(arbitrary: fc.Arbitrary<Scenario>): fc.Arbitrary<Scenario> {
  return fc
    .tuple(arbitrary, fc.array(rawPinArb, { maxLength: 3 }))
    .map(([scenario, raws]) => ({ ...scenario, faults: [...scenario.faults, ...raws.flatMap((raw) => placePin(scenario, raw))] }));
}
