/**
 * hooks/examples/*.json, the requests README tells a newcomer to curl: each passes the envelope, gets a 200 whose answer
 * matches hooks/sync-response.schema.json and keeps every observed child it does not delete by a named rule; and the
 * README's account of sync-request-creates.json holds (a Backup in the first half of a ten-minute interval, none in
 * the quiet window of the second half).
 */

import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';

import request from 'supertest';

import type { SyncRequest, SyncResponse } from '../../src/core/types.js';
import { createApp } from '../../src/http/app.js';
import { memoryLogger } from '../support/memory-logger.js';
import { assertValidResponse } from '../support/response-schema.js';

const config = { bodyLimitBytes: 64 * 1024 * 1024, staleViewGraceMs: 5 * 60_000, handoverLabelKey: 'backup-schedule-hook/controller' };

function read(file: string): SyncRequest {
  return JSON.parse(readFileSync(`hooks/examples/${file}`, 'utf8')) as SyncRequest;
}

async function post(body: SyncRequest, at: string): Promise<{ answer: SyncResponse; deletions: Array<{ name: string; rule: string }> }> {
  const log = memoryLogger();
  const app = createApp({ config, logger: log.logger, now: () => Date.parse(at) });
  const res = await request(app).post('/sync').set('content-type', 'application/json').send(JSON.stringify(body));
  assert.equal(res.status, 200, res.text);
  assertValidResponse(res.body);
  const line = log.lines.find((l) => l.msg === 'sync') as { deletions?: Array<{ name: string; rule: string }> } | undefined;
  return { answer: res.body as SyncResponse, deletions: line?.deletions ?? [] };
}

function backupNames(answer: SyncResponse): string[] {
  return answer.children.filter((c) => c.kind === 'Backup').map((c) => c.metadata.name);
}

describe('hooks/examples (README: curl them at the running service)', () => {
  const files = readdirSync('hooks/examples').filter((f) => f.endsWith('.json'));

  it('holds the two requests README names', () => {
    assert.deepEqual(files.sort(), ['sync-request-creates.json', 'sync-request.json']);
  });

  for (const file of files) {
    it(`${file}: 200, a schema-valid answer, every observed Backup kept unless a named rule deletes it`, async () => {
      const body = read(file);
      const { answer, deletions } = await post(body, '2024-05-01T12:00:05Z');
      const kept = new Set(backupNames(answer));
      const deleted = new Map(deletions.map((d) => [d.name, d.rule]));
      for (const child of Object.values(body.children['Backup.pingcap.com/v1alpha1'] ?? {})) {
        const name = child.metadata?.name ?? '';
        assert.ok(kept.has(name) || (deleted.get(name) ?? '') !== '', `${name} is neither kept nor deleted by a named rule`);
      }
    });
  }

  describe('sync-request-creates.json, called now (README "See a real decision")', () => {
    const rows: Array<[string, string, string | null]> = [
      ['early in the first half of the interval', '2026-11-28T02:01:00Z', 'nightly-2026-11-28t02-00-00'],
      ['at the end of the first half', '2026-11-28T02:04:59Z', 'nightly-2026-11-28t02-00-00'],
      ['in the second half (the quiet window before the next tick)', '2026-11-28T02:05:01Z', null],
    ];
    for (const [when, at, created] of rows) {
      it(`${when}: ${created === null ? 'creates nothing, Ready says it waits for the next tick' : `creates ${created} and sets status.lastBackup`}`, async () => {
        const { answer } = await post(read('sync-request-creates.json'), at);
        const fresh = backupNames(answer).filter((n) => n !== 'nightly-2024-05-01t00-10-00');
        if (created === null) {
          assert.deepEqual(fresh, []);
          assert.equal(answer.status['lastBackup'], 'nightly-2024-05-01t00-10-00');
          const ready = (answer.status['conditions'] as Array<{ type: string; message: string }>).find((c) => c.type === 'Ready');
          assert.match(ready?.message ?? '', /the next tick 2026-11-28T02:10:00Z is less than 300s away/);
        } else {
          assert.deepEqual(fresh, [created]);
          assert.equal(answer.status['lastBackup'], created);
        }
      });
    }
  });
});
