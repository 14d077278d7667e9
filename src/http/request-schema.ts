/** The sync request's envelope check: hooks/sync-request.schema.json, compiled once at start. */

import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject } from 'ajv';

import type { SyncRequest } from '../core/types.js';
import requestSchema from '../../hooks/sync-request.schema.json' with { type: 'json' };

/** Longest problem text reported: a path can hold a key of any length. */
const MAX_PROBLEM_LENGTH = 300;

/** The envelope check's verdict: a typed request, or the first problems as `path message`. */
export type EnvelopeResult = { ok: true; request: SyncRequest } | { ok: false; problems: string[] };

/** A compiled envelope check. */
export type EnvelopeValidator = (body: unknown) => EnvelopeResult;

/**
 * compileEnvelopeValidator compiles the request schema once; call the result per request. It stops at the first
 * problem: collecting all of them costs memory in proportion to the body (a 64 MiB body of bad children took ~1 GiB).
 */
export function compileEnvelopeValidator(): EnvelopeValidator {
  const ajv = new Ajv2020({ allErrors: false, strict: true });
  const validate = ajv.compile<SyncRequest>(requestSchema);
  return function validateEnvelope(body: unknown): EnvelopeResult {
    if (validate(body)) return { ok: true, request: body };
    return { ok: false, problems: describe(validate.errors ?? []) };
  };
}

function describe(errors: readonly ErrorObject[]): string[] {
  // A bad key yields its own problem and a "property name must be valid" summary: the first says it all.
  return errors
    .filter((e) => e.keyword !== 'propertyNames')
    .map((e) => clip(`${e.instancePath === '' ? '/' : e.instancePath}${key(e)} ${e.message ?? 'is invalid'}${allowed(e)}`));
}

function clip(text: string): string {
  return text.length <= MAX_PROBLEM_LENGTH ? text : `${text.slice(0, MAX_PROBLEM_LENGTH)}…`;
}

function key(error: ErrorObject): string {
  return error.propertyName === undefined ? '' : ` key ${JSON.stringify(error.propertyName)}`;
}

function allowed(error: ErrorObject): string {
  const value = (error.params as { allowedValue?: unknown }).allowedValue;
  return value === undefined ? '' : ` (${JSON.stringify(value)})`;
}
