/**
 * What the run's other faults do to a broken window's verdict (invariant 5 across broken specs, spec-fix.ts), by kind.
 * Writes to the spec (the window's own, pauses, edits, other broken windows) are read from the stored specs
 * (spec-timeline.ts); pins and the executor's faults show in the Backups' records; Metacontroller and hook outages only
 * delay what the hook knows (known-by.ts); a backup-now Backup is one more Backup the catch-up's gate waits for. The rest
 * is here: what leaves a verdict undetermined, and what only moves the instant the catch-up is owed.
 */

import { faultEnd } from '../scenario.js';
import type { Fault } from '../scenario.js';
import type { CheckContext } from './types.js';

/** Faults the check does not model near a window (a group relabelled, a watch cache stuck past the lag bound): not judged. */
const UNMODELLED: ReadonlySet<Fault['kind']> = new Set(['relabel', 'cache-stuck']);

/** A world-time stretch [from, to]. */
export interface Stretch {
  from: number;
  to: number;
}

/** unmodelledNear names the kinds of unmodelled faults acting within `around` (world ms), or null. */
export function unmodelledNear(world: CheckContext['world'], around: Stretch): string | null {
  const kinds = world.scenario.faults.filter((fault) => {
    if (!UNMODELLED.has(fault.kind)) return false;
    const to = faultEnd(fault) ?? Infinity;
    return world.start + fault.atMs <= around.to && world.start + to >= around.from;
  });
  return kinds.length === 0 ? null : `another fault acts around it (${[...new Set(kinds.map((f) => f.kind))].sort().join(', ')})`;
}

/** wipesOf lists when the schedule's status was emptied (fault `status-wiped`), world ms. */
export function wipesOf(world: CheckContext['world']): number[] {
  return world.scenario.faults.flatMap((fault) => (fault.kind === 'status-wiped' ? [world.start + fault.atMs] : []));
}

/**
 * clockStepNear says why the hook's clock makes a window undetermined: a step within `steady` (from the fix until the
 * catch-up or the skip is surely decided: a step back there may make an older tick due again, or the skipped one due
 * later), or one of at least `boundMs` within `around` (past the bound the hook is built for). Elsewhere a step only
 * moves the hook's readings, which the check reads from the world (`nowOf`).
 */
export function clockStepNear(world: CheckContext['world'], facts: { steady: Stretch; around: Stretch; boundMs: number }): string | null {
  for (const fault of world.scenario.faults) {
    if (fault.kind !== 'clock-jump') continue;
    const at = world.start + fault.atMs;
    if (at >= facts.steady.from && at <= facts.steady.to) return "the hook's clock stepped after the fix, before its outcome was decided";
    if (at >= facts.around.from && at <= facts.around.to && Math.abs(fault.byMs) >= facts.boundMs) return "the hook's clock stepped past the bound near it";
  }
  return null;
}

/**
 * afterFixNear says why faults after the fix make a catch-up undetermined: child creates refused while it may be asked
 * for (`steady`: a create refused past half the grace is not asked for again), or a user's deletion of Backups before
 * the next tick (`following`: a catch-up deleted within half the grace is asked for again, or run again after a wiped
 * status).
 */
export function afterFixNear(world: CheckContext['world'], facts: { steady: Stretch; following: Stretch }): string | null {
  for (const fault of world.scenario.faults) {
    const from = world.start + fault.atMs;
    if (fault.kind === 'create-errors' && from <= facts.steady.to && from + fault.forMs >= facts.steady.from) return 'child creates were refused around its catch-up';
    if (fault.kind === 'backups-deleted' && from >= facts.following.from && from <= facts.following.to) return 'a user deleted Backups after the fix, before the next tick';
  }
  return null;
}

/**
 * refusedCreatesFreeAt is when (world ms) a last Backup whose create was refused before the spec broke stops holding the
 * gate: the grace after the end of the window that refused it (the hook takes a recorded last Backup missing from the
 * view for running until the grace after it asked for it). -Infinity without one. `asked` is when creates could have
 * been asked for: up to when every view shows the spec broken.
 */
export function refusedCreatesFreeAt(world: CheckContext['world'], facts: { askedBefore: number; graceMs: number }): number {
  let free = -Infinity;
  for (const fault of world.scenario.faults) {
    const from = world.start + fault.atMs;
    if (fault.kind === 'create-errors' && from <= facts.askedBefore) free = Math.max(free, Math.min(from + fault.forMs, facts.askedBefore) + facts.graceMs);
  }
  return free;
}
