import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Agent, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';

import { pino } from 'pino';
import request from 'supertest';

import { createApp } from '../../src/http/app.js';
import type { AppOptions } from '../../src/http/app.js';
import { LAST_APPLIED_ANNOTATION } from '../../src/core/names.js';
import { decide } from '../../src/core/sync.js';
import { BR_TEMPLATE, backup, request as syncRequest, schedule } from '../support/objects.js';
import { rawExchange } from '../support/raw-request.js';
import { assertValidResponse } from '../support/response-schema.js';

const NOW = Date.parse('2024-05-01T00:21:00Z');
const config = { bodyLimitBytes: 64 * 1024, staleViewGraceMs: 300_000, handoverLabelKey: 'backup-schedule-hook/controller' };

type Line = { level: number; msg: string } & Record<string, unknown>;

function appWith(overrides: Partial<AppOptions> = {}): { app: ReturnType<typeof createApp>; lines: Line[] } {
  const lines: Line[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Line);
      done();
    },
  });
  return { app: createApp({ config, logger: pino({ level: 'debug' }, sink), now: () => NOW, ...overrides }), lines };
}

const body = syncRequest(schedule({ status: { lastBackup: 'nightly-2024-05-01t00-10-00', lastBackupTime: '2024-05-01T00:10:00Z' } }), [
  backup({ slot: '2024-05-01T00:10:00Z' }),
]);

describe('HTTP: POST /sync', () => {
  it('200: answers the decision as JSON', async () => {
    const res = await request(appWith().app).post('/sync').send(body).expect(200).expect('content-type', /application\/json/);
    assertValidResponse(res.body);
    assert.equal(res.body.status.lastBackup, 'nightly-2024-05-01t00-20-00');
  });

  it('200: an answer of many chunks, with text beyond ASCII, is the decision byte for byte, its Content-Length in bytes', async () => {
    // 300 kept Backups (~200 KB of answer: several chunks), each applied with an annotation of two-byte and four-byte characters.
    const children = Array.from({ length: 300 }, (_, i) => {
      const child = backup({ slot: new Date(Date.parse('2024-04-01T00:00:00Z') + i * 3_600_000).toISOString() });
      const annotations = child.metadata?.annotations ?? {};
      const applied = JSON.parse(annotations[LAST_APPLIED_ANNOTATION] ?? '{}') as { metadata: { annotations: Record<string, string> } };
      applied.metadata.annotations['note'] = `sauvegarde n° ${i} ✓ 🗄️`;
      annotations[LAST_APPLIED_ANNOTATION] = JSON.stringify(applied);
      return child;
    });
    const large = syncRequest(schedule({ spec: { schedule: '0 * * * *', backupTemplate: BR_TEMPLATE } }), children);
    const res = await request(appWith({ config: { ...config, bodyLimitBytes: 4 * 1024 * 1024 } }).app).post('/sync').send(large).expect(200).expect('content-type', 'application/json; charset=utf-8');
    const text = res.text;
    assert.equal(Number(res.headers['content-length']), Buffer.byteLength(text));
    assert.ok(text.length > 100_000, `an answer of ${text.length} characters`);
    assert.equal(text, JSON.stringify(decide(large, { now: NOW, staleViewGraceMs: config.staleViewGraceMs, handoverLabelKey: config.handoverLabelKey }).response));
    assert.ok(text.includes('sauvegarde n° 299 ✓ 🗄️'));
  });

  it('400: a body that is not JSON, naming the problem, logged below error level', async () => {
    const { app, lines } = appWith();
    const res = await request(app).post('/sync').set('content-type', 'application/json').send('{"parent": ').expect(400);
    assert.match(res.body.error, /not a JSON object/);
    assert.ok(lines.every((l) => l.level < 50));
  });

  it('400: JSON that is not an object', async () => {
    const res = await request(appWith().app).post('/sync').set('content-type', 'application/json').send('42').expect(400);
    assert.match(res.body.error, /not a JSON object/);
  });

  it('400: an envelope that is not Metacontroller\'s, with the path of the problem', async () => {
    const wrongKind = structuredClone(body);
    wrongKind.parent.kind = 'Backup';
    const res = await request(appWith().app).post('/sync').send(wrongKind).expect(400);
    assert.match(res.body.error, /\/parent\/kind must be equal to constant \("BackupSchedule"\)/);
    const noChildren = { parent: body.parent };
    assert.match((await request(appWith().app).post('/sync').send(noChildren).expect(400)).body.error, /must have required property 'children'/);
    const childNotObject = { ...body, children: { 'Backup.pingcap.com/v1alpha1': { 'db/x': 'not an object' } } };
    assert.match((await request(appWith().app).post('/sync').send(childNotObject).expect(400)).body.error, /\/children\/Backup.pingcap.com~1v1alpha1\/db~1x must be object/);
    const { app, lines } = appWith();
    await request(app).post('/sync').send(wrongKind).expect(400);
    assert.deepEqual(
      lines.map((l) => [l.level, l.msg, l['problems']]).filter(([, msg]) => msg !== 'request'),
      [[40, 'sync request is not a Metacontroller BackupSchedule sync request', ['/parent/kind must be equal to constant ("BackupSchedule")']]],
    );
  });

  it('200: a request without a known child type is valid; that type has no children', async () => {
    const res = await request(appWith().app).post('/sync').send({ ...body, children: {} }).expect(200);
    assertValidResponse(res.body);
  });

  it('415: a content type that is not JSON', async () => {
    const res = await request(appWith().app).post('/sync').set('content-type', 'text/plain').send(JSON.stringify(body)).expect(415);
    assert.match(res.body.error, /content type must be application\/json/);
  });

  it('413: a body over the limit, with the limit in the message', async () => {
    const big = { ...body, controller: { padding: 'x'.repeat(70 * 1024) } };
    const res = await request(appWith().app).post('/sync').send(big).expect(413);
    assert.match(res.body.error, /limit of 65536 bytes; raise BODY_LIMIT_BYTES/);
  });

  it('500: an exception in the hook answers a short message without a stack, logs it, and the app keeps serving', async () => {
    const { app, lines } = appWith({
      decide: () => {
        throw new Error('boom at the core');
      },
    });
    const res = await request(app).post('/sync').send(body).expect(500);
    assert.deepEqual(Object.keys(res.body), ['error']);
    assert.doesNotMatch(res.text, /boom|at |\.ts/);
    assert.ok(lines.some((l) => l.level === 50 && JSON.stringify(l).includes('boom at the core')));
    await request(app).get('/healthz').expect(200);
  });

  it('415: a body sent without a content type names it as none', async () => {
    const server = appWith().app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const text = JSON.stringify(body);
      const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, method: 'POST', path: '/sync', agent: false, headers: { 'content-length': Buffer.byteLength(text) } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.once('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
        });
        req.once('error', reject);
        req.end(text);
      });
      assert.equal(answer.status, 415);
      assert.equal((JSON.parse(answer.text) as { error: string }).error, 'content type must be application/json, not none');
    } finally {
      server.close();
    }
  });

  it('200: the answer stands when recording the decision for metrics fails; the failure is logged with the schedule', async () => {
    const { app, lines } = appWith({
      observer: {
        onDecision: () => {
          throw new Error('metrics broke');
        },
      },
    });
    const res = await request(app).post('/sync').send(body).expect(200);
    assert.equal(res.body.status.lastBackup, 'nightly-2024-05-01t00-20-00');
    const failure = lines.find((l) => l.level === 50);
    assert.deepEqual(
      [failure?.msg, failure?.['namespace'], failure?.['name'], (failure?.['err'] as { message?: string } | undefined)?.message],
      ['recording the sync decision failed; the answer is sent anyway', 'db', 'nightly', 'metrics broke'],
    );
    assert.deepEqual(lines.filter((l) => l.msg === 'sync').length, 1, 'the sync is logged as usual');
  });

  it('200: a parent without a namespace is logged and observed with an empty namespace', async () => {
    const decisions: Array<{ namespace: string; name: string }> = [];
    const { app, lines } = appWith({ observer: { onDecision: (_decision, { namespace, name }) => void decisions.push({ namespace, name }) } });
    const withoutNamespace = structuredClone(body);
    delete withoutNamespace.parent.metadata.namespace;
    await request(app).post('/sync').send(withoutNamespace).expect(200);
    const line = lines.find((l) => l.msg === 'sync');
    assert.deepEqual([line?.['namespace'], line?.['name']], ['', 'nightly']);
    assert.deepEqual(decisions, [{ namespace: '', name: 'nightly' }]);
  });
  it('200: an observer without onDecision (only the body budget\'s hooks) records nothing and logs no failure', async () => {
    const states: number[] = [];
    const { app, lines } = appWith({ observer: { onBudgetState: (state) => void states.push(state.bytesInFlight) } });
    await request(app).post('/sync').send(body).expect(200);
    assert.deepEqual(lines.filter((l) => l.level >= 50), []);
    assert.ok(states.length > 0, 'the budget\'s hook is called');
  });

  it('the sync line takes the decision\'s time in milliseconds', async () => {
    const { app, lines } = appWith();
    await request(app).post('/sync').send(body).expect(200);
    const durationMs = lines.find((l) => l.msg === 'sync')?.['durationMs'] as number;
    assert.ok(durationMs >= 0 && durationMs < 10_000, `durationMs ${durationMs}`);
  });
});

describe('HTTP: other routes', () => {
  it('/healthz and /readyz answer 200; /readyz 503 while shutting down', async () => {
    const lifecycle = { ready: true };
    const { app } = appWith({ lifecycle });
    assert.deepEqual((await request(app).get('/healthz').expect(200)).body, { status: 'ok' });
    assert.deepEqual((await request(app).get('/readyz').expect(200)).body, { status: 'ready' });
    lifecycle.ready = false;
    assert.deepEqual((await request(app).get('/readyz').expect(503)).body, { status: 'shutting down' });
    assert.deepEqual((await request(app).get('/healthz').expect(200)).body, { status: 'ok' }, 'alive while shutting down');
  });
  it('answers without X-Powered-By and without an ETag', async () => {
    const { app } = appWith();
    for (const res of [await request(app).get('/healthz').expect(200), await request(app).post('/customize').send({ parent: schedule() }).expect(200)]) {
      assert.equal(res.headers['x-powered-by'], undefined);
      assert.equal(res.headers['etag'], undefined);
    }
  });
  it('keeps a keep-alive connection open while ready, and closes it with the answer once shutting down', async () => {
    const lifecycle = { ready: true };
    const server = appWith({ lifecycle }).app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const connectionOf = (path: string): Promise<[number, string | undefined]> =>
      new Promise((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, path, agent }, (res) => {
          res.resume();
          res.once('end', () => resolve([res.statusCode ?? 0, res.headers['connection']]));
        });
        req.once('error', reject);
        req.end();
      });
    try {
      assert.deepEqual(await connectionOf('/healthz'), [200, 'keep-alive']);
      lifecycle.ready = false;
      assert.deepEqual(await connectionOf('/healthz'), [200, 'close']);
      assert.deepEqual(await connectionOf('/readyz'), [503, 'close']);
    } finally {
      agent.destroy();
      server.close();
    }
  });
  it('unknown routes answer 404 and wrong methods 405 with Allow', async () => {
    const { app } = appWith();
    await request(app).get('/nope').expect(404);
    const res = await request(app).get('/sync').expect(405);
    assert.equal(res.headers['allow'], 'POST');
  });
});

describe('HTTP: POST /customize (schedule groups)', () => {
  it('asks for the group\'s schedules and Backups when the schedule has a group label', async () => {
    const parent = schedule({ labels: { 'tidb.pingcap.com/backup-schedule-group': 'cluster-a' } });
    const res = await request(appWith().app).post('/customize').send({ controller: {}, parent }).expect(200);
    assert.deepEqual(res.body.relatedResources.map((r: { resource: string; labelSelector: unknown }) => [r.resource, r.labelSelector]), [
      ['backupschedules', { matchLabels: { 'tidb.pingcap.com/backup-schedule-group': 'cluster-a' } }],
      ['backups', { matchLabels: { 'tidb.pingcap.com/backup-schedule-group': 'cluster-a' } }],
    ]);
  });
  it('asks for nothing without a group label, and rejects a request that is not about a BackupSchedule', async () => {
    const { app } = appWith();
    assert.deepEqual((await request(app).post('/customize').send({ parent: schedule() }).expect(200)).body, { relatedResources: [] });
    await request(app).post('/customize').send({ parent: { kind: 'Pod' } }).expect(400);
  });
  it('rejects a parent that is not an object, or null, or not a BackupSchedule with metadata, with 400', async () => {
    const { app } = appWith();
    const { metadata, ...withoutMetadata } = schedule();
    assert.equal(metadata.name, 'nightly');
    const parents = [
      'nightly',
      null,
      42,
      { ...schedule(), apiVersion: 'pingcap.com/v1' },
      { ...schedule(), kind: 'Backup' },
      withoutMetadata,
      { ...withoutMetadata, metadata: null },
      { ...withoutMetadata, metadata: 'nightly' },
    ];
    for (const parent of parents) {
      const res = await request(app).post('/customize').send({ parent }).expect(400);
      assert.match(res.body.error, /\/parent must be a BackupSchedule with metadata/);
    }
  });
  it('logs a parent without a namespace or name with empty ones', async () => {
    const { app, lines } = appWith();
    const parent = schedule();
    delete (parent.metadata as { namespace?: string }).namespace;
    delete (parent.metadata as { name?: string }).name;
    await request(app).post('/customize').send({ parent }).expect(200);
    const line = lines.find((l) => l.msg === 'customize');
    assert.deepEqual([line?.['namespace'], line?.['name'], line?.['group'], line?.['related']], ['', '', null, 0]);
  });
  it('rejects a POST without any body (no Content-Length, not chunked) with 400', async () => {
    const text = await rawExchange(appWith().app, 'POST /customize HTTP/1.1\r\nHost: hook\r\nConnection: close');
    assert.match(text, /^HTTP\/1\.1 400 /, text);
    assert.match(text, /\/parent must be a BackupSchedule with metadata/);
  });
});
