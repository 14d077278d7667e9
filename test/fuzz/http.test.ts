/**
 * Fuzzing the HTTP adapter (seeded): generated hostile requests, their JSON text sometimes damaged (truncated,
 * non-JSON literals, duplicate keys, garbage around it), POSTed to one app. Every answer follows the error
 * policy (docs/errors.md): 200 with the decision, or 400 naming the problem; never 500, never a stack trace,
 * nothing logged at error level, and the app keeps answering.
 */

import assert from 'node:assert/strict';

import fc from 'fast-check';
import request from 'supertest';

import { decide } from '../../src/core/sync.js';
import type { SyncRequest } from '../../src/core/types.js';
import { createApp } from '../../src/http/app.js';
import { MAX_NESTING, nestingBeyond } from '../../src/http/nesting.js';
import { compileEnvelopeValidator } from '../../src/http/request-schema.js';
import { FUZZ_SEED, buildRequest, damageText, requestRecipe, textDamage } from '../support/hostile.js';
import { assertKeepsObservedChildren } from '../support/invariants.js';
import { memoryLogger } from '../support/memory-logger.js';
import { propertyRuns } from '../support/property-runs.js';

const NOW = Date.parse('2024-05-01T00:25:00Z');
const config = { bodyLimitBytes: 64 * 1024 * 1024, staleViewGraceMs: 5 * 60_000, handoverLabelKey: 'backup-schedule-hook/controller' };
const validateEnvelope = compileEnvelopeValidator();

/** What the policy asks for a body: 400 and the start of its message, or 200 with the decision for the parsed request. */
type Expected = { status: 400; error: RegExp } | { status: 200; request: SyncRequest };

/** expectedAnswer reads a body as the server must (UTF-8, BOM dropped, objects and arrays only) and applies the policy. */
function expectedAnswer(text: string): Expected {
  const decoded = Buffer.from(text, 'utf8').toString('utf8').replace(/^\ufeff/, '');
  const first = /^[\x20\x09\x0a\x0d]*(.)/s.exec(decoded)?.[1];
  if (nestingBeyond(Buffer.from(text, 'utf8'), MAX_NESTING) >= 0) return { status: 400, error: /^request body nests deeper than/ };
  let parsed: unknown = {}; // body-parser reads an empty body as {}
  try {
    if (decoded !== '' && first !== '{' && first !== '[') throw new SyntaxError('not an object or array');
    if (decoded !== '') parsed = JSON.parse(decoded);
  } catch {
    return { status: 400, error: /^request body is not a JSON object: / };
  }
  const envelope = validateEnvelope(parsed);
  if (!envelope.ok) return { status: 400, error: /^not a Metacontroller sync request for a pingcap.com\/v1alpha1 BackupSchedule: \// };
  return { status: 200, request: envelope.request };
}

describe('fuzz: HTTP on hostile and damaged bodies', () => {
  const bodyRuns = propertyRuns({ seed: FUZZ_SEED, numRuns: 300 });
  it(`answers every body by the error policy, never 500, never a stack trace, nothing logged as an error (${bodyRuns.numRuns} runs)`, async () => {
    const log = memoryLogger();
    const app = createApp({ config, logger: log.logger, now: () => NOW });
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(requestRecipe, fc.option(textDamage, { freq: 2 }), async (recipe, damage) => {
        const clean = JSON.stringify(buildRequest(recipe));
        const text = damage === null ? clean : damageText(clean, damage);
        const expected = expectedAnswer(text);
        const res = await request(app).post('/sync').set('content-type', 'application/json').send(text);
        seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
        assert.equal(res.status, expected.status, `answer ${JSON.stringify(res.body).slice(0, 300)}`);
        assert.match(String(res.headers['content-type']), /^application\/json/);
        assert.doesNotMatch(res.text, /\bat [\w.<>]+ \(|node:internal|\.ts:\d+/, 'a stack trace in the answer');
        if (expected.status === 400) {
          assert.equal(typeof res.body.error, 'string');
          assert.match(res.body.error, expected.error);
          assert.ok(res.body.error.length <= 1000, `an error of ${res.body.error.length} characters`);
        } else {
          const decision = decide(expected.request, { now: NOW });
          assert.deepEqual(res.body, JSON.parse(JSON.stringify(decision.response)), 'the HTTP answer is not the decision');
          assertKeepsObservedChildren(expected.request, decision);
        }
        assert.deepEqual(log.errors(), [], 'logged at error level');
      }),
      bodyRuns,
    );
    assert.ok((seen.get(200) ?? 0) > bodyRuns.numRuns / 3 && (seen.get(400) ?? 0) > bodyRuns.numRuns / 6, `answers by status: ${JSON.stringify([...seen])}`);
    await request(app).get('/healthz').expect(200);
  });

  const customizeRuns = propertyRuns({ seed: FUZZ_SEED, numRuns: 100 });
  it(`answers /customize with 200 or 400 whatever the parent, never 500 (${customizeRuns.numRuns} runs)`, async () => {
    const log = memoryLogger();
    const app = createApp({ config, logger: log.logger, now: () => NOW });
    const parents = fc.oneof(requestRecipe.map((recipe) => buildRequest(recipe).parent), fc.jsonValue({ maxDepth: 4 }));
    await fc.assert(
      fc.asyncProperty(parents, async (parent) => {
        const res = await request(app).post('/customize').set('content-type', 'application/json').send(JSON.stringify({ controller: {}, parent }));
        assert.ok(res.status === 200 || res.status === 400, `answer ${res.status} ${res.text.slice(0, 300)}`);
        if (res.status === 200) assert.ok(Array.isArray(res.body.relatedResources), 'a customize answer names its related resources');
        assert.deepEqual(log.errors(), [], 'logged at error level');
      }),
      customizeRuns,
    );
  });
});
