/** The hook as the simulator calls it: a request and an instant in, an HTTP-like answer out. */

import { decide } from '../core/sync.js';
import type { SyncReport } from '../core/sync.js';
import type { SyncRequest, SyncResponse } from '../core/types.js';

/** A hook's answer: 200 with the sync response (and, in-process, the decision's report), or any other status. */
export type HookAnswer = { status: 200; body: SyncResponse; report?: SyncReport } | { status: number; body?: unknown };

/** A sync hook: what Metacontroller calls for one parent at one instant. */
export type Hook = (request: SyncRequest, now: number) => HookAnswer | Promise<HookAnswer>;

/** Settings the hook reads from its environment (the server's `loadConfig`). */
export interface HookSettings {
  staleViewGraceMs: number;
  handoverLabelKey: string;
  /** DELETION_STUCK_AFTER in ms; the core's default (1h) when absent. */
  deletionStuckAfterMs?: number;
  /** Deletions per answer at most; the core's default (50) when absent. */
  maxDeletionsPerSync?: number;
  /** RESYNC_EVERY in ms; none when absent (the scenario's `resyncPeriodSeconds` then keeps syncs regular). */
  resyncEveryMs?: number;
}

/** decideHook calls the real `decide` in-process. */
export function decideHook(settings: HookSettings): Hook {
  return function inProcess(request: SyncRequest, now: number): HookAnswer {
    const decision = decide(request, { now, ...settings });
    return { status: 200, body: decision.response, report: decision.report };
  };
}

/** isSuccess tells whether an answer is Metacontroller's only success: 200 with a body. */
export function isSuccess(answer: HookAnswer): answer is { status: 200; body: SyncResponse; report?: SyncReport } {
  return answer.status === 200 && typeof answer.body === 'object' && answer.body !== null;
}
