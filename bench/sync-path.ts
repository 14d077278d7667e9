/** The service's sync path in-process, as the HTTP adapter runs it: validate → decide → serialize. */

import { decide } from '../src/core/sync.js';
import { compileEnvelopeValidator } from '../src/http/request-schema.js';

/** A sync path bound to an instant: takes a parsed body, returns the serialized answer. */
export type SyncPath = (body: unknown) => string;

/** syncPathAt compiles the envelope check once and answers every body at the instant `now`. */
export function syncPathAt(now: number): SyncPath {
  const validateEnvelope = compileEnvelopeValidator();
  return (body) => {
    const envelope = validateEnvelope(body);
    if (!envelope.ok) throw new Error(`the bench request is not a valid sync request: ${envelope.problems.join('; ')}`);
    return JSON.stringify(decide(envelope.request, { now }).response);
  };
}
