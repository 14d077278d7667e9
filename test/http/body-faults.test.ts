/**
 * Request bodies that once got a wrong answer: each row is a fault found while fuzzing the HTTP adapter,
 * with the answer the error policy (docs/errors.md) asks for.
 */

import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';

import request from 'supertest';

import { createApp } from '../../src/http/app.js';
import { MAX_NESTING } from '../../src/http/nesting.js';
import { memoryLogger } from '../support/memory-logger.js';
import { BR_TEMPLATE, request as syncRequest, schedule } from '../support/objects.js';

const config = { bodyLimitBytes: 64 * 1024 * 1024, staleViewGraceMs: 5 * 60_000, handoverLabelKey: 'backup-schedule-hook/controller' };
const PARENT = '{"apiVersion":"pingcap.com/v1alpha1","kind":"BackupSchedule","metadata":{"name":"nightly"}}';

/** requestNestedAt returns a valid sync request whose backupTemplate holds a value nested so that the body reaches `depth` levels. */
function requestNestedAt(depth: number): string {
  const levels = depth - 4; // body, parent, spec, backupTemplate
  const body = JSON.stringify(syncRequest(schedule({ spec: { schedule: '*/10 * * * *', backupTemplate: { ...BR_TEMPLATE, deep: 'DEEP' } } })));
  return body.replace('"DEEP"', `${'['.repeat(levels)}${']'.repeat(levels)}`);
}

interface FaultCase {
  name: string;
  body: string | Buffer;
  headers?: Record<string, string>;
  status: number;
  error?: RegExp;
}

const cases: FaultCase[] = [
  {
    name: 'a corrupt gzip body is the client\'s fault: 400, not 500',
    body: Buffer.from('this is not gzip'),
    headers: { 'content-encoding': 'gzip' },
    status: 400,
    error: /request body could not be read: incorrect header check/,
  },
  {
    name: 'a content encoding the hook cannot read: 415 naming it',
    body: Buffer.from('{}'),
    headers: { 'content-encoding': 'x-unknown' },
    status: 415,
    error: /^request body encoding is not supported: unsupported content encoding "x-unknown"$/,
  },
  {
    name: 'a gzip body is read',
    body: gzipSync(`{"parent":${PARENT},"children":{}}`),
    headers: { 'content-encoding': 'gzip' },
    status: 200,
  },
  {
    name: '100,000 levels of nesting: 400 before parsing',
    body: `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
    status: 400,
    error: new RegExp(`^request body nests deeper than ${MAX_NESTING} levels \\(at byte ${MAX_NESTING}\\); Kubernetes objects never do$`),
  },
  {
    name: `nesting of ${MAX_NESTING} levels is answered`,
    body: requestNestedAt(MAX_NESTING),
    status: 200,
  },
  {
    name: `nesting of ${MAX_NESTING + 1} levels is refused`,
    body: requestNestedAt(MAX_NESTING + 1),
    status: 400,
    error: /nests deeper than/,
  },
  {
    name: 'brackets inside strings, escaped quotes included, do not count as nesting',
    body: `{"parent":${PARENT},"children":{},"controller":{"s":"\\"${'['.repeat(2 * MAX_NESTING)}"}}`,
    status: 200,
  },
  {
    name: 'a key of a megabyte is named in the answer in at most 300 characters',
    body: `{"parent":${PARENT},"children":{"ConfigMap.v1":{"${'k'.repeat(1 << 20)}":5}}}`,
    status: 400,
    error: /^not a Metacontroller sync request for a pingcap.com\/v1alpha1 BackupSchedule: \/children\/ConfigMap.v1\/k{200,}…$/,
  },
  {
    name: 'a children key that is not Kind.version is not an envelope Metacontroller sends: 400 naming the key',
    body: `{"parent":${PARENT},"children":{"__proto__":{}}}`,
    status: 400,
    error: /\/children key "__proto__" must match pattern/,
  },
  {
    name: '200,000 bad children: 400 naming the first',
    body: `{"parent":${PARENT},"children":{"ConfigMap.v1":{${Array.from({ length: 200_000 }, (_, i) => `"c${i}":${i}`).join(',')}}}}`,
    status: 400,
    error: /\/children\/ConfigMap.v1\/c0 must be object$/,
  },
];

describe('HTTP: request bodies that once got a wrong answer', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const log = memoryLogger();
      const app = createApp({ config, logger: log.logger, now: () => Date.parse('2024-05-01T00:25:00Z') });
      const res = await request(app)
        .post('/sync')
        .set({ 'content-type': 'application/json', ...c.headers })
        .serialize((body: unknown) => body as string)
        .send(c.body as string);
      assert.equal(res.status, c.status, JSON.stringify(res.body).slice(0, 300));
      if (c.error !== undefined) assert.match(String(res.body.error), c.error);
      assert.deepEqual(log.errors(), [], 'nothing is logged at error level');
    });
  }
});
