/** Deadlines of the recoveries the checks expect: hook faults hold a recovery back until they end. */

import type { World } from '../world.js';

/**
 * recoveryDeadline is when something expected `recoverMs` after `from` must have happened: a hook restart, error
 * or timeout window overlapping that time holds it back until the window ends, then the resync period brings the
 * next sync.
 */
export function recoveryDeadline(world: Pick<World, 'scenario' | 'start'>, expected: { from: number; recoverMs: number }): number {
  const { from, recoverMs } = expected;
  let deadline = from + recoverMs;
  for (const fault of world.scenario.faults) {
    if (fault.kind !== 'hook-restart' && fault.kind !== 'hook-errors' && fault.kind !== 'hook-timeouts') continue;
    const start = world.start + fault.atMs;
    const end = start + fault.forMs;
    if (start <= deadline && end >= from) deadline = Math.max(deadline, end + world.scenario.metacontroller.resyncPeriodSeconds * 1000 + recoverMs);
  }
  return deadline;
}

/** pausedDuring tells whether a pause fault covers any instant of [from, to]. */
export function pausedDuring(world: Pick<World, 'scenario' | 'start'>, window: { from: number; to: number }): boolean {
  return world.scenario.faults.some((f) => f.kind === 'pause' && world.start + f.atMs <= window.to && world.start + f.atMs + f.forMs >= window.from);
}
