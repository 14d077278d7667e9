/** replay: what `/sync` would have answered to a captured request at an instant (the same validation and decision). */

import { answerJson } from '../core/answer-json.js';
import { decide } from '../core/sync.js';
import type { Decision } from '../core/sync.js';
import type { SyncRequest } from '../core/types.js';
import { compileEnvelopeValidator } from '../http/request-schema.js';
import type { EnvelopeValidator } from '../http/request-schema.js';
import type { HookSettings } from '../sim/hook.js';

/** The outcome of a replay: the body `/sync` would send, and its HTTP status. */
export interface ReplayResult {
  status: 200 | 400;
  /** The exact response body, as `/sync` writes it. */
  body: string;
}

/** What `/sync` makes of a body: the request and its decision, or the problems that make it answer 400. */
export type SyncOutcome = { ok: true; request: SyncRequest; decision: Decision } | { ok: false; problems: string[] };

/** decideAsSync checks a body as `/sync` does and decides it at `now` with the hook's settings (a compiled check may be passed in). */
export function decideAsSync(body: unknown, options: { now: number; settings: HookSettings; validate?: EnvelopeValidator }): SyncOutcome {
  const envelope = (options.validate ?? compileEnvelopeValidator())(body);
  if (!envelope.ok) return envelope;
  return { ok: true, request: envelope.request, decision: decide(envelope.request, { now: options.now, ...options.settings }) };
}

/** replayRequest validates the request as `/sync` does and decides it at `now`. */
export function replayRequest(body: unknown, options: { now: number; settings: HookSettings }): ReplayResult {
  const outcome = decideAsSync(body, options);
  if (!outcome.ok) {
    const error = `not a Metacontroller sync request for a pingcap.com/v1alpha1 BackupSchedule: ${outcome.problems.join('; ')}`;
    return { status: 400, body: JSON.stringify({ error }) };
  }
  return { status: 200, body: answerJson(outcome.decision.response) };
}
