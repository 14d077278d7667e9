/** replay: what `/sync` would have answered to a captured request at an instant (the same validation and decision). */

import { decide } from '../core/sync.js';
import { compileEnvelopeValidator } from '../http/request-schema.js';
import type { HookSettings } from '../sim/hook.js';

/** The outcome of a replay: the body `/sync` would send, and its HTTP status. */
export interface ReplayResult {
  status: 200 | 400;
  /** The exact response body (as express's res.json writes it). */
  body: string;
}

/** replayRequest validates the request as `/sync` does and decides it at `now`. */
export function replayRequest(body: unknown, options: { now: number; settings: HookSettings }): ReplayResult {
  const envelope = compileEnvelopeValidator()(body);
  if (!envelope.ok) {
    const error = `not a Metacontroller sync request for a pingcap.com/v1alpha1 BackupSchedule: ${envelope.problems.join('; ')}`;
    return { status: 400, body: JSON.stringify({ error }) };
  }
  const decision = decide(envelope.request, { now: options.now, ...options.settings });
  return { status: 200, body: JSON.stringify(decision.response) };
}
