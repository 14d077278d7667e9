/**
 * What the pin-race hunt (`pin-race.ts`) places beside a pin or an unpin in two of the situations it covers: a step of
 * the hook's clock within the lag bound, or a window in which the watch cache is stuck past it (fault `cache-stuck`).
 * A companion is placed against the instant the previous run retired (or, for an unpin, would retire) the Backup; the
 * world runs with it, and the pin or unpin is then placed against that Backup's retirement in the new run, which the
 * companion may have moved: a step forward brings an expiry by `maxReservedTime` closer, a step back puts it off; a
 * stuck window holds back the change that lets a `maxBackups` rule go (a newer Backup Complete), and the pin.
 */

import type { Fault, Scenario } from '../../../src/sim/scenario.js';

const MINUTE = 60_000;

/** The longest stuck window a companion draws: past every lag bound of the hunt's worlds (at most 7.5 minutes). */
export const LONGEST_STUCK_MS = 4 * 60 * MINUTE;

/** A companion, drawn as shares before the run it lands in is known. */
export type Companion =
  /**
   * The hook's clock steps at the target instant plus `at` × [−2×lag, +½×lag] (a step after the target moves nothing
   * the target decided), by `by` × [−lag, +lag] (the lag bound of a Backup's change, half of min(grace, interval) less
   * a second), the total of the world's steps kept within ±lag.
   */
  | { kind: 'clock'; at: number; by: number }
  /**
   * The watch cache stuck for `length` (log-uniform in whole minutes, 1 minute to {@link LONGEST_STUCK_MS}) from `at` ×
   * 1.25 lengths before the target instant: a window over the target instant mostly, one that ended before it in one
   * draw in five; holding `which` kinds.
   */
  | { kind: 'stuck'; at: number; length: number; which: 'children' | 'parents' | 'all' };

/** Options of {@link companionFault}. */
export interface CompanionOptions {
  /** The lag bound of a Backup's change (the hunt's worlds: the top of `childChangedMs`). */
  lagMs: number;
  /** World instants: the run's start, and the latest write placed before (the companion comes after it). */
  start: number;
  after: number;
}

/** clockOffsetOf is how far the scenario's clock steps have moved the hook's clock, in all. */
export function clockOffsetOf(scenario: Pick<Scenario, 'faults'>): number {
  return scenario.faults.reduce((sum, fault) => sum + (fault.kind === 'clock-jump' ? fault.byMs : 0), 0);
}

/** stuckLengthMs is a drawn window's length: log-uniform in whole minutes from one to {@link LONGEST_STUCK_MS}. */
export function stuckLengthMs(share: number): number {
  return Math.max(1, Math.round((LONGEST_STUCK_MS / MINUTE) ** share)) * MINUTE;
}

/** companionFault places a companion against `targetAt` (world ms) in `scenario`, after `options.after`. */
export function companionFault(companion: Companion, targetAt: number, options: CompanionOptions & { scenario: Pick<Scenario, 'faults'> }): Fault {
  const { lagMs, start, after } = options;
  if (companion.kind === 'clock') {
    const at = Math.max(after + 1, targetAt + Math.round(-2 * lagMs + companion.at * 2.5 * lagMs));
    const offset = clockOffsetOf(options.scenario);
    const to = Math.max(-lagMs, Math.min(lagMs, offset + Math.round(-lagMs + companion.by * 2 * lagMs)));
    return { kind: 'clock-jump', atMs: at - start, byMs: to - offset };
  }
  const forMs = stuckLengthMs(companion.length);
  const from = Math.max(after + 1, targetAt - Math.round(companion.at * 1.25 * forMs));
  return { kind: 'cache-stuck', atMs: from - start, forMs, which: companion.which };
}

/**
 * companionWrite is the instant of the pin or unpin placed beside a companion, `share` of its range: beside a clock
 * step, from −2× to +1× the lag around the (moved) target, as without one; in a stuck window, from a lag before the
 * window (but not before `notBefore`: a window may start before the Backup is made) to a lag after the target, so
 * that most land in the window, before the sync that reads the stuck view.
 */
export function companionWrite(fault: Fault, share: number, options: { lagMs: number; start: number; targetAt: number; notBefore: number }): number {
  const { lagMs, start, targetAt } = options;
  if (fault.kind !== 'cache-stuck') return targetAt + Math.round(-2 * lagMs + share * 3 * lagMs);
  const from = Math.min(Math.max(start + fault.atMs - lagMs, options.notBefore), targetAt);
  return from + Math.round(share * (targetAt + lagMs - from));
}
