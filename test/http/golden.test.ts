/**
 * Golden fixtures: every rule of the sync hook as a request, the instant it is evaluated at, the decision
 * in words (case.json `expect`) and the recorded answer. `UPDATE_GOLDEN=1 npm test` rewrites the answers.
 */

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { pino } from 'pino';
import request from 'supertest';

import { createApp } from '../../src/http/app.js';
import type { SyncRequest, SyncResponse } from '../../src/core/types.js';
import { loadFixtures } from '../support/fixtures.js';
import { assertValidResponse } from '../support/response-schema.js';

const update = process.env['UPDATE_GOLDEN'] === '1';
const config = { bodyLimitBytes: 64 * 1024 * 1024, staleViewGraceMs: 5 * 60_000, handoverLabelKey: 'backup-schedule-hook/controller' };

let instant = 0;
const app = createApp({ config, logger: pino({ level: 'silent' }), now: () => instant });

async function post(body: SyncRequest, now: string): Promise<SyncResponse> {
  instant = Date.parse(now);
  const res = await request(app).post('/sync').send(body).expect(200);
  return res.body as SyncResponse;
}

/** Observed child names not being deleted, across all child types. */
function liveObservedNames(req: SyncRequest): Set<string> {
  const names = new Set<string>();
  for (const map of Object.values(req.children)) {
    for (const [key, child] of Object.entries(map)) {
      if (child.metadata?.deletionTimestamp == null) names.add(child.metadata?.name ?? key.slice(key.lastIndexOf('/') + 1));
    }
  }
  return names;
}

/** Names of observed children whose desired spec differs from the spec last applied to them (an in-place update). */
function changedFromApplied(req: SyncRequest, answer: SyncResponse): string[] {
  const changed: string[] = [];
  for (const map of Object.values(req.children)) {
    for (const child of Object.values(map)) {
      const applied = child.metadata?.annotations?.['metacontroller.k8s.io/last-applied-configuration'];
      const desired = answer.children.find((c) => c.kind === child.kind && c.metadata.name === child.metadata?.name);
      if (applied === undefined || desired === undefined) continue;
      if (JSON.stringify((JSON.parse(applied) as { spec?: unknown }).spec) !== JSON.stringify(desired.spec)) changed.push(desired.metadata.name);
    }
  }
  return changed;
}

describe('golden sync fixtures (test/fixtures/sync)', () => {
  for (const fixture of loadFixtures()) {
    describe(fixture.name, () => {
      it(`${fixture.rule}`, async () => {
        const answer = await post(fixture.request, fixture.now);
        assertValidResponse(answer);

        const desired = new Set(answer.children.map((c) => c.metadata.name));
        const observed = liveObservedNames(fixture.request);
        const allObserved = new Set(Object.values(fixture.request.children).flatMap((m) => Object.values(m).map((c) => c.metadata?.name)));
        assert.deepEqual([...desired].filter((n) => !allObserved.has(n)).sort(), [...fixture.expect.created].sort(), 'created');
        assert.deepEqual([...observed].filter((n) => !desired.has(n)).sort(), [...fixture.expect.deleted].sort(), 'deleted');
        assert.deepEqual(changedFromApplied(fixture.request, answer).sort(), [...(fixture.expect.updated ?? [])].sort(), 'updated in place');
        const ready = answer.status.conditions?.find((c) => c.type === 'Ready');
        assert.equal(ready?.reason ?? null, fixture.expect.ready, `Ready reason (message: ${ready?.message})`);
        if (fixture.expect.lastBackup !== undefined) assert.equal(answer.status.lastBackup, fixture.expect.lastBackup, 'status.lastBackup');
        for (const [type, want] of Object.entries(fixture.expect.findings ?? {})) {
          const condition = answer.status.conditions?.find((c) => c.type === type);
          assert.equal(condition === undefined ? null : `${condition.status}/${condition.reason}`, want, `${type} (message: ${condition?.message})`);
        }
        if (fixture.expect.resyncAfterSeconds !== undefined) {
          assert.equal(answer.resyncAfterSeconds ?? null, fixture.expect.resyncAfterSeconds, 'resyncAfterSeconds');
        }

        if (update || fixture.response === null) {
          writeFileSync(join(fixture.dir, 'response.json'), `${JSON.stringify(answer, null, 2)}\n`);
          if (!update) assert.fail(`no response.json was recorded for ${fixture.name}; one was written now: review it and commit it`);
        } else {
          assert.deepEqual(answer, fixture.response, 'answer differs from response.json (UPDATE_GOLDEN=1 rewrites it after review)');
        }
      });

      it('gives the same answer to the same request at the same instant', async () => {
        assert.deepEqual(await post(fixture.request, fixture.now), await post(fixture.request, fixture.now));
      });

      it('answers a request that already carries its status with that status unchanged', async () => {
        const first = await post(fixture.request, fixture.now);
        const again = structuredClone(fixture.request);
        again.parent.status = first.status;
        assert.deepEqual((await post(again, fixture.now)).status, first.status);
      });
    });
  }
});
