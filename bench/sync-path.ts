/** The service's sync path in-process, as the HTTP adapter runs it: validate → decide → serialize. */

import { answerChunks } from '../src/core/answer-json.js';
import { decide } from '../src/core/sync.js';
import type { SyncResponse } from '../src/core/types.js';
import { compileEnvelopeValidator } from '../src/http/request-schema.js';

/** A sync path bound to an instant: takes a parsed body, returns the serialized answer. */
export type SyncPath = (body: unknown) => readonly string[];

/** syncPathAt compiles the envelope check once and answers every body at the instant `now`. */
export function syncPathAt(now: number): SyncPath {
  const answer = answerAt(now);
  return (body) => answerChunks(answer(body));
}

/** answerAt is the sync path without its last step: the answer the service would serialize. */
export function answerAt(now: number): (body: unknown) => SyncResponse {
  const validateEnvelope = compileEnvelopeValidator();
  return (body) => {
    const envelope = validateEnvelope(body);
    if (!envelope.ok) throw new Error(`the bench request is not a valid sync request: ${envelope.problems.join('; ')}`);
    return decide(envelope.request, { now }).response;
  };
}

/**
 * taughtCopies parses `count` copies of `body` for a sync loop to take in turn, after one more copy has taught the hook
 * its Backups' applied configurations and been dropped: as with a fresh request, no string the hook remembers is one
 * it is handed.
 */
export function taughtCopies(path: SyncPath, options: { body: string; count: number }): unknown[] {
  path(JSON.parse(options.body));
  return Array.from({ length: options.count }, () => JSON.parse(options.body) as unknown);
}
