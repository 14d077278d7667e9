/** Deadlines of the recoveries the checks expect: hook faults and Metacontroller's restarts hold a recovery back until they end. */

import { faultEnd, specBrokenStartMs } from '../scenario.js';
import type { Fault } from '../scenario.js';
import type { World } from '../world.js';

/** A fault during which no answer of the hook is applied. */
type HoldingFault = Extract<Fault, { kind: 'hook-restart' | 'hook-errors' | 'hook-timeouts' | 'metacontroller-restart' }>;

const HOLDING_KINDS: ReadonlySet<Fault['kind']> = new Set<HoldingFault['kind']>(['hook-restart', 'hook-errors', 'hook-timeouts', 'metacontroller-restart']);

function isHolding(fault: Fault): fault is HoldingFault {
  return HOLDING_KINDS.has(fault.kind);
}

/**
 * recoveryDeadline is when something expected `recoverMs` after `from` must have happened: a hook restart, error
 * or timeout window, or Metacontroller down (`metacontroller-restart`), overlapping that time holds it back until the
 * window ends, then the resync period brings the next sync.
 */
export function recoveryDeadline(world: Pick<World, 'scenario' | 'start'>, expected: { from: number; recoverMs: number }): number {
  const { from, recoverMs } = expected;
  let deadline = from + recoverMs;
  for (const fault of world.scenario.faults) {
    if (!isHolding(fault)) continue;
    const start = world.start + fault.atMs;
    const end = start + fault.forMs;
    if (start <= deadline && end >= from) deadline = Math.max(deadline, end + world.scenario.metacontroller.resyncPeriodSeconds * 1000 + recoverMs);
  }
  return deadline;
}

/**
 * pausedDuring tells whether a pause fault, or a broken spec (fault `spec-broken`, with its pause ahead of it), covers
 * any instant of [from, to]: the hook creates nothing then.
 */
export function pausedDuring(world: Pick<World, 'scenario' | 'start'>, window: { from: number; to: number }): boolean {
  return world.scenario.faults.some((f) => {
    const from = f.kind === 'spec-broken' ? specBrokenStartMs(f) : f.atMs;
    return (f.kind === 'pause' || f.kind === 'spec-broken') && world.start + from <= window.to && world.start + (faultEnd(f) ?? Infinity) >= window.from;
  });
}
