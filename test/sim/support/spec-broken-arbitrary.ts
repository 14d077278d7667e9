/**
 * Specs a user breaks and fixes (fault `spec-broken`), added to every run of any scenario arbitrary: up to two windows
 * of two minutes to three days (or another longest; log-uniform) in which the spec carries a mistake the CRD's schema lets through — a
 * 4-field cron (or a misspelt macro, an `@every` without its unit), an unknown time zone, a `maxReservedTime` in days,
 * `spec.retention` beside the `maxBackups` or `maxReservedTime` the world uses (or `maxBackups` beside its `retention`), a `backupTimeout` without its unit —
 * then a fix that puts the spec back. A third of them come with a pause, by the breaking edit itself or by one 1 minute
 * to 10 hours before it, which the fix lifts (`skipMissedOnUnpause`'s rule across an invalid spec). Instants are even
 * over the faulty part of the run as the pins' are (the run but its last three days, or its first two thirds). The
 * draws come after everything else the arbitrary draws, so the rest of a run is the scenario it drew without them.
 */

import fc from 'fast-check';

import type { JsonObject } from '../../../src/core/types.js';
import type { Fault, Scenario } from '../../../src/sim/scenario.js';
import { evenDouble } from '../../support/even-double.js';

const MINUTE = 60_000;
const DAY = 86_400_000;

/** The mistakes drawn. */
export const BREAKAGES = ['cron', 'time-zone', 'duration', 'retention', 'timeout'] as const;
export type Breakage = (typeof BREAKAGES)[number];

/** A broken window before the run it lands in is known: its instant as a share, its length in minutes. */
interface RawBreak {
  at: number;
  forMinutes: number;
  breakage: Breakage;
  pause: 'none' | 'with-break' | 'ahead';
  aheadMinutes: number;
}

/** rawBreakArb draws one window, two minutes to `longestMs` long, log-uniform (as many under an hour as from an hour to three days, roughly), unbiased. */
const rawBreakArb = (longestMs: number): fc.Arbitrary<RawBreak> => fc.record({
  at: evenDouble({ min: 0, max: 1, maxExcluded: true }),
  forMinutes: fc.noBias(fc.integer({ min: 0, max: 1000 })).map((permille) => Math.max(2, Math.round((longestMs / MINUTE) ** (permille / 1000)))),
  breakage: fc.noBias(fc.constantFrom(...BREAKAGES)),
  pause: fc.noBias(fc.constantFrom('none' as const, 'none' as const, 'with-break' as const, 'ahead' as const)),
  aheadMinutes: fc.noBias(fc.integer({ min: 0, max: 1000 })).map((permille) => Math.max(1, Math.round(600 ** (permille / 1000)))),
});

/** brokenSchedule is a cron or macro with a typo: a field left out, a macro misspelt, an `@every` without its unit. */
export function brokenSchedule(expression: string): string {
  const fields = expression.trim().split(/\s+/);
  if (fields.length >= 5) return fields.slice(0, 4).join(' ');
  if (expression.startsWith('@every ')) return expression.replace(/[a-z]+$/, '');
  const misspelt = expression.replace('i', 'y');
  return misspelt === expression ? `${expression}x` : misspelt;
}

/** patchOf is the merge patch that breaks a spec with a mistake of the kind drawn. */
export function patchOf(spec: JsonObject, breakage: Breakage): JsonObject {
  switch (breakage) {
    case 'cron':
      return { schedule: brokenSchedule(String(spec['schedule'] ?? '0 2 * * *')) };
    case 'time-zone':
      return { timeZone: 'Europe/Berln' };
    case 'duration':
      return { maxReservedTime: '2d' };
    case 'retention':
      // The rule the world uses written both ways: the new GFS field beside the old count or age, or the reverse.
      if (spec['retention'] !== undefined) return { maxBackups: 3 };
      return { retention: typeof spec['maxBackups'] === 'number' ? { keepLast: spec['maxBackups'] } : { keepWithin: spec['maxReservedTime'] ?? '48h' } };
    case 'timeout':
      return { backupTimeout: '90' };
  }
}

/** faultySpanMs is the part of a run broken windows land in: all but its last three days, or its first two thirds when shorter. */
function faultySpanMs(scenario: Scenario): number {
  return Math.max(scenario.durationMs - 3 * DAY, Math.floor((scenario.durationMs * 2) / 3));
}

/** placeBreak turns a drawn window into its fault: the break inside the span (after its pause), the fix before the span ends. */
function placeBreak(scenario: Scenario, raw: RawBreak): Fault {
  const span = faultySpanMs(scenario);
  const aheadMs = raw.pause === 'ahead' ? raw.aheadMinutes * MINUTE : 0;
  const forMs = Math.min(raw.forMinutes * MINUTE, Math.floor(span / 2));
  const atMs = aheadMs + Math.floor(raw.at * Math.max(0, span - aheadMs - forMs));
  const patch = patchOf(scenario.schedule.spec, raw.breakage);
  if (raw.pause === 'none') return { kind: 'spec-broken', atMs, forMs, patch };
  return { kind: 'spec-broken', atMs, forMs, patch, pause: raw.pause === 'with-break' ? 'with-break' : { aheadMs } };
}

/**
 * unpauseLaterArb draws, for each of two windows, whether a paused one is fixed while still paused (half of them) and
 * how long after the fix the user unpauses it: one minute to three days, log-uniform.
 */
const unpauseLaterArb = fc.array(
  fc.record({
    later: fc.noBias(fc.boolean()),
    afterMinutes: fc.noBias(fc.integer({ min: 0, max: 1000 })).map((permille) => Math.max(1, Math.round((3 * DAY / MINUTE) ** (permille / 1000)))),
  }),
  { minLength: 2, maxLength: 2 },
);

/** unpausedLater leaves a paused window's pause in place at the fix and lifts it the drawn time later, within the run's faulty span. */
function unpausedLater(scenario: Scenario, fault: Fault, draw: { later: boolean; afterMinutes: number } | undefined): Fault {
  if (fault.kind !== 'spec-broken' || fault.pause === undefined || draw === undefined || !draw.later) return fault;
  const room = faultySpanMs(scenario) - (fault.atMs + fault.forMs);
  const unpauseAfterMs = Math.min(draw.afterMinutes * MINUTE, room);
  return unpauseAfterMs < MINUTE ? fault : { ...fault, unpauseAfterMs };
}

/**
 * withBrokenSpecs adds up to two broken windows of up to `longestMs` (default three days), each fixed again, to every
 * scenario of the arbitrary (at least `fewest`, default none). With `unpauseLater`, half the paused windows are fixed
 * while still paused and unpaused a minute to three days later (drawn after the windows, so they stay where they were).
 */
export function withBrokenSpecs(arbitrary: fc.Arbitrary<Scenario>, options: { longestMs?: number; fewest?: number; unpauseLater?: boolean } = {}): fc.Arbitrary<Scenario> {
  const windows = fc.tuple(arbitrary, fc.array(rawBreakArb(options.longestMs ?? 3 * DAY), { minLength: options.fewest ?? 0, maxLength: 2 }));
  const place = (scenario: Scenario, raws: readonly RawBreak[]): Fault[] => raws.map((raw) => placeBreak(scenario, raw));
  if (options.unpauseLater !== true) return windows.map(([scenario, raws]) => ({ ...scenario, faults: [...scenario.faults, ...place(scenario, raws)] }));
  return fc.tuple(windows, unpauseLaterArb).map(([[scenario, raws], draws]) => ({
    ...scenario,
    faults: [...scenario.faults, ...place(scenario, raws).map((fault, i) => unpausedLater(scenario, fault, draws[i]))],
  }));
}
