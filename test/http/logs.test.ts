/** Logs: JSON lines, one per sync at info with who and what was decided, never a request body; probes and scrapes unlogged. */

import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';

import request from 'supertest';

import type { Config } from '../../src/config.js';
import type { SyncRequest } from '../../src/core/types.js';
import { createLogger } from '../../src/logger.js';
import { BR_TEMPLATE, COMPACT_TEMPLATE, LOG_TEMPLATE, backup, logBackup, request as syncRequest, schedule } from '../support/objects.js';
import { testService } from '../support/service.js';
import { startSlowPost } from '../support/slow-request.js';

const NOW = '2024-05-01T04:05:00Z';
const SPEC = { schedule: '*/10 * * * *', maxReservedTime: '1h', backupTemplate: BR_TEMPLATE };
/** A string only the request body carries. */
const MARKER = 'only-in-the-request-body';

/** A test service whose log lines are kept: `lines()` parses them. */
function logged(level: Config['logLevel']): { lines: () => Array<Record<string, unknown>>; raw: string[]; service: ReturnType<typeof testService> } {
  const raw: string[] = [];
  const logger = createLogger(level, { write: (line: string) => void raw.push(line) });
  return { service: testService({ now: NOW, logger }), raw, lines: () => raw.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

const parent = (spec: Record<string, unknown> = SPEC): ReturnType<typeof schedule> =>
  schedule({ spec, annotations: { note: MARKER } });

const decisions: Array<{ name: string; body: SyncRequest; decision: string; fields?: string[] }> = [
  { name: 'a new Backup', body: syncRequest(parent(), [backup({ slot: '2024-05-01T03:50:00Z' })]), decision: 'created', fields: ['created'] },
  {
    name: 'a new Backup and an expired one',
    body: syncRequest(parent(), [backup({ slot: '2024-05-01T02:50:00Z' }), backup({ slot: '2024-05-01T03:50:00Z' })]),
    decision: 'created, deleted 1',
    fields: ['created', 'deletions'],
  },
  { name: 'a running last Backup', body: syncRequest(parent(), [backup({ slot: '2024-05-01T03:50:00Z', state: 'running' })]), decision: 'waited' },
  {
    name: 'only an expired Backup',
    body: syncRequest(parent(), [backup({ slot: '2024-05-01T02:50:00Z' }), backup({ slot: '2024-05-01T04:00:00Z' })]),
    decision: 'deleted 1',
    fields: ['deletions'],
  },
  { name: 'nothing due', body: syncRequest(parent(), [backup({ slot: '2024-05-01T04:00:00Z' })]), decision: 'idle' },
  { name: 'an invalid spec', body: syncRequest(parent({ ...SPEC, schedule: 'nightly' })), decision: 'invalid', fields: ['problems'] },
  { name: 'a paused schedule', body: syncRequest(parent({ ...SPEC, pause: true })), decision: 'paused' },
  {
    name: 'a slot missed by its starting deadline',
    body: syncRequest(schedule({ spec: { ...SPEC, startingDeadlineSeconds: 60 }, status: { lastBackup: 'nightly-2024-05-01t03-50-00', lastBackupTime: '2024-05-01T03:50:00Z' } }), [
      backup({ slot: '2024-05-01T03:50:00Z' }),
    ]),
    decision: 'idle',
    fields: ['missed'],
  },
  {
    name: 'more expired Backups than one sync deletes',
    body: syncRequest(parent(), [
      ...Array.from({ length: 60 }, (_, i) => backup({ slot: new Date(Date.parse('2024-05-01T02:40:00Z') - i * 600_000).toISOString().replace('.000Z', 'Z') })),
      backup({ slot: '2024-05-01T03:50:00Z' }),
    ]),
    decision: 'created, deleted 50',
    fields: ['created', 'deletions', 'deferredDeletions'],
  },
  { name: 'a schedule being deleted', body: syncRequest(schedule({ spec: SPEC, deletionTimestamp: '2024-05-01T04:04:00Z' })), decision: 'parent deleting' },
];
/** The fields a sync line carries only when there is something to say. */
const OPTIONAL = ['created', 'askedAgain', 'deletions', 'deferredDeletions', 'problems', 'stuck', 'deletionStuck', 'missed', 'compaction'];

describe('logs', () => {
  for (const c of decisions) {
    it(`one info line per sync: ${c.name} → "${c.decision}"`, async () => {
      const log = logged('info');
      await log.service.sync(c.body);
      assert.equal(log.lines().length, 1, log.raw.join(''));
      const [line] = log.lines();
      assert.equal(line?.['msg'], 'sync');
      assert.equal(line?.['level'], 'info');
      assert.equal(line?.['service'], 'backup-schedule-hook');
      assert.match(String(line?.['time']), /^\d{4}-\d\d-\d\dT/);
      assert.equal(line?.['namespace'], 'db');
      assert.equal(line?.['name'], 'nightly');
      assert.equal(line?.['decision'], c.decision);
      assert.equal(typeof line?.['durationMs'], 'number');
      assert.ok((line?.['durationMs'] as number) > 0 && (line?.['durationMs'] as number) < 10_000, `durationMs ${String(line?.['durationMs'])}`);
      assert.deepEqual(Object.keys(line ?? {}).filter((k) => OPTIONAL.includes(k)), c.fields ?? [], 'only what happened');
      if (line?.['missed'] !== undefined) assert.deepEqual(line['missed'], { slot: '2024-05-01T04:00:00Z', cause: 'StartingDeadlineExceeded' });
      if (line?.['created'] !== undefined) assert.match(String(line['created']), /^nightly-2024-05-01t04-00-00$/);
      assert.ok(!log.raw.join('').includes(MARKER), 'no part of the request body is logged');
    });
  }

  it('names the problems of an invalid spec', async () => {
    const log = logged('info');
    await log.service.sync(syncRequest(parent({ ...SPEC, schedule: 'nightly' })));
    assert.match(String((log.lines()[0]?.['problems'] as string[])[0]), /spec.schedule/);
  });

  it('names the last Backup asked for again while the view lacks it', async () => {
    const log = logged('info');
    const status = { lastBackup: 'nightly-2024-05-01t04-00-00', lastBackupTime: '2024-05-01T04:00:00Z', lastBackupCreation: { name: 'nightly-2024-05-01t04-00-00', time: '2024-05-01T04:04:00Z' } };
    await log.service.sync(syncRequest(schedule({ spec: { ...SPEC, schedule: '0 * * * *' }, status }), [backup({ slot: '2024-05-01T03:00:00Z' })]));
    assert.equal(log.lines()[0]?.['askedAgain'], 'nightly-2024-05-01t04-00-00');
  });

  it('names Backups stuck running or stuck in deletion', async () => {
    const log = logged('info');
    await log.service.sync(
      syncRequest(parent({ ...SPEC, backupTimeout: '30m' }), [
        backup({ slot: '2024-05-01T02:40:00Z', deleting: '2024-05-01T03:00:00Z' }),
        backup({ slot: '2024-05-01T03:30:00Z', state: 'running' }),
      ]),
    );
    const [line] = log.lines();
    assert.deepEqual([line?.['stuck'], line?.['deletionStuck']], [['nightly-2024-05-01t03-30-00'], ['nightly-2024-05-01t02-40-00']]);
  });

  it('says what compaction did, or why nothing, where it is configured', async () => {
    const compacting = { ...SPEC, logBackupTemplate: LOG_TEMPLATE, compactBackupTemplate: COMPACT_TEMPLATE, compactInterval: '2h' };
    const status = { logBackup: 'log-nightly', logBackupStartTs: '2024-05-01T00:00:00Z' };
    const log = logged('info');
    await log.service.sync(syncRequest(schedule({ spec: compacting, status }), [logBackup({ schedule: 'nightly', start: '2024-05-01T00:00:00Z', checkpoint: '2024-05-01T01:00:00Z' })]));
    await log.service.sync(syncRequest(parent()));
    assert.deepEqual(log.lines().map((l) => l['compaction']), ['less than one interval of log since its start', undefined]);
  });

  it('never logs probes and scrapes, even at debug; logs other requests at debug without their body', async () => {
    const log = logged('debug');
    for (const path of ['/healthz', '/readyz', '/metrics']) await request(log.service.app).get(path).expect(200);
    assert.deepEqual(log.lines(), []);
    await log.service.sync(syncRequest(parent()));
    const requests = log.lines().filter((l) => l['msg'] === 'request');
    assert.deepEqual(
      requests.map((l) => [l['level'], l['method'], l['path'], l['status']]),
      [['debug', 'POST', '/sync', 200]],
    );
    assert.equal(requests[0]?.['bytes'], Buffer.byteLength(JSON.stringify(syncRequest(parent()))));
    const ms = requests[0]?.['durationMs'];
    assert.ok(typeof ms === 'number' && ms > 0 && ms < 10_000, `durationMs ${String(ms)}`);
    await request(log.service.app).get('/sync').expect(405);
    const bodyless = log.lines().filter((l) => l['msg'] === 'request').at(-1);
    assert.deepEqual([bodyless?.['method'], bodyless?.['status'], 'bytes' in (bodyless ?? {})], ['GET', 405, false]);
    assert.ok(!log.raw.join('').includes(MARKER));
  });

  it('logs a request whose client went away before the answer as aborted, at debug', async () => {
    const log = logged('debug');
    const server = log.service.app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const slow = startSlowPost({ port: (server.address() as AddressInfo).port, path: '/sync' }, { body: JSON.stringify(syncRequest(parent())) });
      slow.answer.catch(() => undefined);
      await once(server, 'request');
      slow.abort();
      while (!log.lines().some((l) => l['msg'] === 'request')) await new Promise((resolve) => setTimeout(resolve, 5));
      const line = log.lines().find((l) => l['msg'] === 'request');
      assert.deepEqual([line?.['method'], line?.['path'], line?.['status']], ['POST', '/sync', 'aborted']);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('logs nothing but the sync line at info', async () => {
    const log = logged('info');
    await request(log.service.app).get('/metrics').expect(200);
    await log.service.sync(syncRequest(parent()));
    assert.deepEqual(log.lines().map((l) => l['msg']), ['sync']);
  });

  it('logs a customize call at debug with the schedule and its group, never at info', async () => {
    const body = { controller: {}, parent: schedule({ labels: { 'tidb.pingcap.com/backup-schedule-group': 'cluster-a' }, annotations: { note: MARKER } }) };
    const quiet = logged('info');
    await request(quiet.service.app).post('/customize').send(body).expect(200);
    assert.deepEqual(quiet.lines(), []);
    const log = logged('debug');
    await request(log.service.app).post('/customize').send(body).expect(200);
    const line = log.lines().find((l) => l['msg'] === 'customize');
    assert.deepEqual([line?.['level'], line?.['namespace'], line?.['name'], line?.['group'], line?.['related']], ['debug', 'db', 'nightly', 'cluster-a', 2]);
    assert.ok(!log.raw.join('').includes(MARKER));
  });

  it('warns about a customize request whose parent is not a BackupSchedule, without its body', async () => {
    const log = logged('info');
    await request(log.service.app).post('/customize').send({ parent: { kind: 'Pod', note: MARKER } }).expect(400);
    assert.deepEqual(log.lines().map((l) => l['level']), ['warn']);
    assert.deepEqual([log.lines()[0]?.['msg'], log.lines()[0]?.['path']], ['customize request is not about a Metacontroller BackupSchedule', '/customize']);
    assert.ok(!log.raw.join('').includes(MARKER));
  });

  it('warns about a request that is not a sync request, without its body', async () => {
    const log = logged('info');
    await request(log.service.app).post('/sync').send({ note: MARKER }).expect(400);
    assert.deepEqual(log.lines().map((l) => l['level']), ['warn']);
    assert.ok(!log.raw.join('').includes(MARKER));
  });
});
