/**
 * Property tests of the decision on generated hostile requests (seeded): it never throws, keeps every
 * observed child unless a named retention rule removes it, answers well-formed, carries what it does not
 * own, gives the same answer twice and never changes the request.
 */

import assert from 'node:assert/strict';

import fc from 'fast-check';

import { decide } from '../../src/core/sync.js';
import { compileEnvelopeValidator } from '../../src/http/request-schema.js';
import { FUZZ_SEED, buildRequest, oddCron, requestRecipe, specWithSchedule } from '../support/hostile.js';
import { assertCarriesStatusAndEchoes, assertKeepsObservedChildren, assertWellFormedAnswer } from '../support/invariants.js';
import { backup, request, schedule } from '../support/objects.js';
import { propertyRuns } from '../support/property-runs.js';

const validateEnvelope = compileEnvelopeValidator();
const instants = fc.constantFrom('2024-05-01T00:25:00Z', '2024-05-01T00:20:00Z', '2024-04-30T23:59:59Z', '2024-05-03T08:00:00Z', '1969-07-20T20:17:40Z', '9999-12-31T23:59:59Z')
  .map((iso) => Date.parse(iso));

describe('fuzz: decide on hostile requests', () => {
  const decideRuns = propertyRuns({ seed: FUZZ_SEED, numRuns: 400 });
  it(`keeps every live observed child unless a named retention rule removes it, and answers well-formed (${decideRuns.numRuns} runs)`, () => {
    let enveloped = 0;
    fc.assert(
      fc.property(requestRecipe, instants, (recipe, now) => {
        const body = buildRequest(recipe);
        const envelope = validateEnvelope(body);
        if (!envelope.ok) return; // answered 400 by the HTTP layer; test/fuzz/http.test.ts covers it
        enveloped += 1;
        const before = structuredClone(body);
        const decision = decide(body, { now });
        assert.deepEqual(body, before, 'decide changed its request');
        assertKeepsObservedChildren(body, decision);
        assertWellFormedAnswer(body, decision);
        assertCarriesStatusAndEchoes(body, decision);
        assert.deepEqual(decide(structuredClone(before), { now }), decision, 'the same request gave a different answer');
      }),
      decideRuns,
    );
    assert.ok(enveloped > decideRuns.numRuns * 0.75, `only ${enveloped} of ${decideRuns.numRuns} generated requests had a valid envelope; the generator is too hostile to test the decision`);
  });

  const cronRuns = propertyRuns({ seed: FUZZ_SEED, numRuns: 300 });
  it(`reads every schedule string without throwing: a schedule with ticks in order, or InvalidSpec with a message (${cronRuns.numRuns} runs)`, () => {
    const now = Date.parse('2024-05-01T00:25:00Z');
    fc.assert(
      fc.property(oddCron, (expression) => {
        const body = request(schedule({ spec: specWithSchedule(expression), status: { lastBackup: 'nightly-2024-05-01t00-10-00', lastBackupTime: '2024-05-01T00:10:00Z' } }), [
          backup({ slot: '2024-05-01T00:10:00Z' }),
        ]);
        const decision = decide(body, { now });
        assertKeepsObservedChildren(body, decision);
        assertWellFormedAnswer(body, decision);
        const ready = decision.response.status.conditions?.find((c) => c.type === 'Ready');
        if (decision.report.outcome === 'invalid') {
          assert.match(ready?.message ?? '', /spec\.schedule/, 'an invalid schedule is named in the message');
          return;
        }
        const next = decision.response.status.nextBackupTime;
        if (next !== undefined) assert.ok(Date.parse(next) > now, `nextBackupTime ${next} is not after now`);
        if (decision.report.created !== null) {
          const slot = decision.response.status.lastBackupTime ?? '';
          assert.ok(Date.parse(slot) > Date.parse('2024-05-01T00:10:00Z') && Date.parse(slot) <= now, `created slot ${slot} is outside (last, now]`);
        }
      }),
      cronRuns,
    );
  });
});
