/** The sync request's envelope check: hooks/sync-request.schema.json, compiled once at start. */

import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject } from 'ajv';

import type { SyncRequest } from '../core/types.js';
import requestSchema from '../../hooks/sync-request.schema.json' with { type: 'json' };

const MAX_REPORTED_PROBLEMS = 5;

/** The envelope check's verdict: a typed request, or the first problems as `path message`. */
export type EnvelopeResult = { ok: true; request: SyncRequest } | { ok: false; problems: string[] };

/** A compiled envelope check. */
export type EnvelopeValidator = (body: unknown) => EnvelopeResult;

/** compileEnvelopeValidator compiles the request schema once; call the result per request. */
export function compileEnvelopeValidator(): EnvelopeValidator {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  const validate = ajv.compile<SyncRequest>(requestSchema);
  return function validateEnvelope(body: unknown): EnvelopeResult {
    if (validate(body)) return { ok: true, request: body };
    return { ok: false, problems: describe(validate.errors ?? []) };
  };
}

function describe(errors: readonly ErrorObject[]): string[] {
  return errors.slice(0, MAX_REPORTED_PROBLEMS).map((e) => `${e.instancePath === '' ? '/' : e.instancePath} ${e.message ?? 'is invalid'}${allowed(e)}`);
}

function allowed(error: ErrorObject): string {
  const value = (error.params as { allowedValue?: unknown }).allowedValue;
  return value === undefined ? '' : ` (${JSON.stringify(value)})`;
}
