/**
 * When the hook surely knows a change (invariant 5 across broken specs, spec-fix.ts): the change is in every view and
 * a sync that saw it has been answered and written. Without faults that is a lag, a call and a second after it (and,
 * with Metacontroller's client rate limit, the wait of a pass's writes behind its deletions). Faults that stop syncs
 * only delay it: a hook restarting, answering errors or timing out fails each sync, retried with backoff at most
 * 1000 s (plus a timeout) apart, so one succeeds that long after the window ends; Metacontroller down starts no sync,
 * and syncs every parent when it is back, from a LIST that trails within the same lag.
 */

import { MAX_DELETIONS_PER_SYNC } from '../../core/deletion-batch.js';
import { DEFAULT_CLIENT_BURST } from '../metacontroller.js';
import { BACKOFF_MAX_MS } from '../work-queue.js';
import type { CheckContext } from './types.js';

/** A window (world ms) in which syncs may fail or not start, and how long after it a failed sync is retried at the latest. */
export interface Outage {
  from: number;
  to: number;
  retryMs: number;
  /** Every sync of the window fails or does not start (a restart, or errors and timeouts at a rate of 1). */
  certain: boolean;
}

/** knownMs is how long a change takes, without faults, to be in every view and answered: a lag, a call, the writes' pacing and a second. */
export function knownMs(context: Pick<CheckContext, 'world' | 'maxLagMs' | 'maxLatencyMs'>): number {
  const { clientQps, clientBurst } = context.world.scenario.metacontroller;
  // A pass deletes at most MAX_DELETIONS_PER_SYNC Backups and as many CompactBackups before its status is written.
  const pacingMs = clientQps === undefined || clientQps <= 0 ? 0 : Math.max(0, 2 * MAX_DELETIONS_PER_SYNC + 1 - (clientBurst ?? DEFAULT_CLIENT_BURST)) * (1000 / clientQps);
  return context.maxLagMs + context.maxLatencyMs + pacingMs + 1000;
}

/** outagesOf lists the run's windows in which syncs fail (hook restarts, errors, timeouts) or do not start (Metacontroller down). */
export function outagesOf(world: CheckContext['world']): Outage[] {
  const { timeoutMs } = world.scenario.transport;
  return world.scenario.faults.flatMap((fault): Outage[] => {
    const from = world.start + fault.atMs;
    switch (fault.kind) {
      case 'hook-restart':
        return [{ from, to: from + fault.forMs, retryMs: BACKOFF_MAX_MS + timeoutMs, certain: true }];
      case 'hook-errors':
      case 'hook-timeouts':
        return [{ from, to: from + fault.forMs, retryMs: BACKOFF_MAX_MS + timeoutMs, certain: fault.rate >= 1 }];
      case 'metacontroller-restart':
        return [{ from, to: from + fault.forMs, retryMs: 0, certain: true }];
      default:
        return [];
    }
  });
}

/**
 * knownBy is the world instant by which a change written at `at` is surely known (above): `at` plus {@link knownMs}, or,
 * where an outage overlaps that time, the end of the outage, its retry and {@link knownMs} after it (again while another
 * overlaps).
 */
export function knownBy(at: number, facts: { outages: readonly Outage[]; knownMs: number }): number {
  let by = at + facts.knownMs;
  for (let moved = true; moved; ) {
    moved = false;
    for (const outage of facts.outages) {
      if (outage.from > by || outage.to < at) continue;
      const after = outage.to + outage.retryMs + facts.knownMs;
      if (after > by) {
        by = after;
        moved = true;
      }
    }
  }
  return by;
}

/**
 * firstAnswerFrom is the earliest world instant at which a sync whose view shows a change written at `at` can be
 * answered: `at`, or the end of the outages in which no sync is answered (or, Metacontroller down, started) that hold it.
 */
export function firstAnswerFrom(at: number, outages: readonly Outage[]): number {
  let from = at;
  for (let moved = true; moved; ) {
    moved = false;
    for (const outage of outages) {
      if (!outage.certain || outage.from > from || outage.to <= from) continue;
      from = outage.to;
      moved = true;
    }
  }
  return from;
}
