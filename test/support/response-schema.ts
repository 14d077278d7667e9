/** Validates answers against hooks/sync-response.schema.json and checks what a schema cannot say. */

import assert from 'node:assert/strict';

import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

import responseSchema from '../../hooks/sync-response.schema.json' with { type: 'json' };

const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats.default(ajv, ['date-time']);
const validate = ajv.compile(responseSchema);

/** assertValidResponse fails unless the answer matches the response schema and names each child once. */
export function assertValidResponse(body: unknown): void {
  assert.ok(validate(body), `answer does not match hooks/sync-response.schema.json: ${ajv.errorsText(validate.errors)}`);
  const children = (body as { children: Array<{ kind: string; metadata: { name: string } }> }).children;
  const ids = children.map((c) => `${c.kind}/${c.metadata.name}`);
  assert.equal(new Set(ids).size, ids.length, `answer names a child twice: ${ids.join(', ')}`);
}
