/**
 * The error policy (docs/errors.md), one `describe` per row of its table, against createApp through supertest.
 * Every answer is checked for stack traces; every 4xx for the absence of error-level logs.
 */

import assert from 'node:assert/strict';

import type { Express } from 'express';
import request from 'supertest';
import type { Response } from 'supertest';

import type { KubeObject, SyncRequest, SyncResponse } from '../../src/core/types.js';
import { createApp } from '../../src/http/app.js';
import type { AppOptions } from '../../src/http/app.js';
import { memoryLogger } from '../support/memory-logger.js';
import type { MemoryLogger } from '../support/memory-logger.js';
import { BR_TEMPLATE, backup, request as syncRequest, schedule, tsoAt } from '../support/objects.js';
import { rawExchange } from '../support/raw-request.js';
import { assertValidResponse } from '../support/response-schema.js';

const NOW = '2024-05-01T03:05:00Z';
const BACKUPS = 'Backup.pingcap.com/v1alpha1';
const config = { bodyLimitBytes: 64 * 1024 * 1024, staleViewGraceMs: 5 * 60_000, handoverLabelKey: 'backup-schedule-hook/controller' };

/** An app with a memory logger; `options` replaces any of createApp's options. */
function appWith(options: Partial<AppOptions> = {}): { app: Express; log: MemoryLogger } {
  const log = memoryLogger();
  return { app: createApp({ config, logger: log.logger, now: () => Date.parse(NOW), ...options }), log };
}

/** assertNoStack fails if an answer carries a stack trace or a source location. */
function assertNoStack(res: Response): void {
  assert.doesNotMatch(res.text, /\bat [\w.<>]+ \(|node:internal|\/src\/|\.[jt]s:\d+/, `a stack trace in ${res.text.slice(0, 200)}`);
}

/** postText sends a body as it is, with a content type. */
async function postText(app: Express, body: string, contentType = 'application/json'): Promise<Response> {
  const res = await request(app).post('/sync').set('content-type', contentType).send(body);
  assertNoStack(res);
  return res;
}

/** sync posts a request and expects 200 with a schema-valid answer. */
async function sync(app: Express, body: unknown): Promise<SyncResponse> {
  const res = await postText(app, JSON.stringify(body));
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assertValidResponse(res.body);
  return res.body as SyncResponse;
}

function names(answer: SyncResponse): string[] {
  return answer.children.map((c) => `${c.kind}/${c.metadata.name}`).sort();
}

function observedNames(body: SyncRequest): string[] {
  return Object.entries(body.children)
    .flatMap(([type, map]) => Object.values(map).map((o) => `${type.slice(0, type.indexOf('.'))}/${o.metadata?.name ?? ''}`))
    .sort();
}

const spec = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ schedule: '*/10 * * * *', backupTemplate: BR_TEMPLATE, ...extra });
const last = { lastBackup: 'nightly-2024-05-01t01-10-00', lastBackupTime: '2024-05-01T01:10:00Z' };

describe('error policy (docs/errors.md)', () => {
  describe('body is not JSON or not an object: 400 naming the problem, nothing logged at error level', () => {
    const rows: Array<[string, string, RegExp]> = [
      ['plain text', 'hello', /^request body is not a JSON object: Unexpected token/],
      ['truncated JSON', '{"parent": {"apiVersion": "pingcap.com/v1alpha1"', /^request body is not a JSON object: .*JSON/],
      ['NaN literal', '{"finalizing": NaN}', /^request body is not a JSON object: Unexpected token 'N'/],
      ['a JSON string', '"sync"', /^request body is not a JSON object: /],
      ['a JSON number', '42', /^request body is not a JSON object: /],
      ['null', 'null', /^request body is not a JSON object: /],
      ['an array', '[{"parent": {}}]', /^not a Metacontroller sync request for a pingcap.com\/v1alpha1 BackupSchedule: \/ must be object$/],
      ['an empty body', '', /: \/ must have required property 'parent'$/],
    ];
    for (const [what, body, error] of rows) {
      it(what, async () => {
        const { app, log } = appWith();
        const res = await postText(app, body);
        assert.equal(res.status, 400);
        assert.deepEqual(Object.keys(res.body), ['error']);
        assert.match(res.body.error, error);
        assert.deepEqual(log.errors(), []);
        assert.ok(log.lines.some((l) => l.level === 40), 'the rejection is logged as a warning');
      });
    }
    it('a JSON POST that sends no body at all (no Content-Length, not chunked), as `curl -X POST` does', async () => {
      const { app, log } = appWith();
      const text = await rawExchange(app, 'POST /sync HTTP/1.1\r\nHost: hook\r\nContent-Type: application/json\r\nConnection: close');
      assert.match(text, /^HTTP\/1\.1 400 /, text);
      assert.match(text, /"error":"not a Metacontroller sync request for a pingcap.com\/v1alpha1 BackupSchedule: \/ must be object"/);
      assert.deepEqual(log.errors(), []);
    });
  });

  describe('content type not JSON: 415', () => {
    const rows: Array<[string, string]> = [
      ['text/plain', 'text/plain'],
      ['a form', 'application/x-www-form-urlencoded'],
      ['XML', 'application/xml'],
      ['JSON in Latin-1', 'application/json; charset=latin1'],
      ['JSON in UTF-16', 'application/json; charset=utf-16le'],
    ];
    for (const [what, contentType] of rows) {
      it(what, async () => {
        const { app, log } = appWith();
        const res = await postText(app, '{"parent": {}, "children": {}}', contentType);
        assert.equal(res.status, 415);
        assert.match(res.body.error, /content type must be application\/json|encoding is not supported/);
        if (contentType.includes('utf-16')) assert.equal(res.body.error, 'request body encoding is not supported: charset utf-16le; send UTF-8 JSON');
        assert.deepEqual(log.errors(), []);
      });
    }
    it('JSON with a +json suffix is JSON', async () => {
      const { app } = appWith();
      const res = await postText(app, '{}', 'application/merge-patch+json');
      assert.equal(res.status, 400, 'read as JSON, refused as an envelope');
      const whole = await postText(app, JSON.stringify(syncRequest(schedule({ spec: spec() }))), 'application/vnd.metacontroller+json');
      assert.equal(whole.status, 200, 'a whole sync request sent as +json is read and decided');
      assertValidResponse(whole.body);
    });
  });

  describe('body over the limit: 413 with the limit in the message', () => {
    it('a body of 4 KiB against a limit of 2048 bytes', async () => {
      const { app, log } = appWith({ config: { ...config, bodyLimitBytes: 2048 } });
      const res = await postText(app, JSON.stringify({ parent: {}, children: {}, pad: 'x'.repeat(4096) }));
      assert.equal(res.status, 413);
      assert.equal(res.body.error, 'request body is larger than the limit of 2048 bytes; raise BODY_LIMIT_BYTES');
      assert.deepEqual(log.errors(), []);
    });
    it('a body at the limit is read', async () => {
      const body = JSON.stringify(syncRequest(schedule({ spec: spec() })));
      const { app } = appWith({ config: { ...config, bodyLimitBytes: Buffer.byteLength(body) } });
      await sync(app, JSON.parse(body));
    });
  });

  describe("envelope not Metacontroller's: 400 with the ajv path of the problem", () => {
    const parent = schedule({ spec: spec() });
    const rows: Array<[string, unknown, RegExp]> = [
      ['no parent', { children: {} }, /: \/ must have required property 'parent'$/],
      ['no children', { parent }, /: \/ must have required property 'children'$/],
      ['a parent of another group', { parent: { ...parent, apiVersion: 'batch/v1' }, children: {} }, /: \/parent\/apiVersion must be equal to constant \("pingcap.com\/v1alpha1"\)$/],
      ['a parent of another kind', { parent: { ...parent, kind: 'Backup' }, children: {} }, /: \/parent\/kind must be equal to constant \("BackupSchedule"\)$/],
      ['a parent without a name', { parent: { ...parent, metadata: { namespace: 'db' } }, children: {} }, /: \/parent\/metadata must have required property 'name'$/],
      ['children as a list', { parent, children: [] }, /: \/children must be object$/],
      ['children of a type as a list', { parent, children: { [BACKUPS]: [] } }, /: \/children\/Backup.pingcap.com~1v1alpha1 must be object$/],
      ['a child that is a string', { parent, children: { [BACKUPS]: { 'db/x': 'x' } } }, /: \/children\/Backup.pingcap.com~1v1alpha1\/db~1x must be object$/],
      ['a child label that is a number', { parent, children: { [BACKUPS]: { 'db/x': { metadata: { labels: { a: 1 } } } } } }, /\/db~1x\/metadata\/labels\/a must be string$/],
      ['a children key that is not Kind.version', { parent, children: { backups: {} } }, /: \/children key "backups" must match pattern "[^"]+"$/],
      ['finalizing that is not a boolean', { parent, children: {}, finalizing: 'yes' }, /: \/finalizing must be boolean$/],
    ];
    it('reports a problem of up to 300 characters whole, and clips a longer one', async () => {
      const { app } = appWith();
      const PREFIX = 'not a Metacontroller sync request for a pingcap.com/v1alpha1 BackupSchedule: ';
      const problemOf = async (key: string): Promise<string> => {
        const res = await postText(app, JSON.stringify({ parent, children: { [key]: {} } }));
        assert.equal(res.status, 400);
        return (res.body.error as string).slice(PREFIX.length);
      };
      const short = await problemOf('k');
      const seen = [];
      for (const length of [300, 301]) seen.push(await problemOf('k'.repeat(1 + length - short.length)));
      assert.deepEqual(seen.map((p) => [p.length, p.endsWith('…')]), [[300, false], [301, true]]);
    });

    for (const [what, body, error] of rows) {
      it(what, async () => {
        const { app, log } = appWith();
        const res = await postText(app, JSON.stringify(body));
        assert.equal(res.status, 400);
        assert.match(res.body.error, /^not a Metacontroller sync request for a pingcap.com\/v1alpha1 BackupSchedule: /);
        assert.match(res.body.error, error);
        assert.deepEqual(log.errors(), []);
      });
    }
  });

  describe('a child type the hook does not manage: echoed unchanged, minus status and server-set metadata; never 400', () => {
    const configMap: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'notes',
        namespace: 'db',
        uid: 'uid-notes',
        resourceVersion: '9',
        generation: 2,
        creationTimestamp: '2024-01-01T00:00:00Z',
        managedFields: [{ manager: 'kubectl' }],
        ownerReferences: [{ apiVersion: 'pingcap.com/v1alpha1', kind: 'BackupSchedule', name: 'nightly', uid: 'uid-nightly', controller: true }],
        labels: { app: 'notes' },
        annotations: { note: 'kept' },
        finalizers: ['example.com/keep'],
      },
      data: { 'a.txt': 'hello', nested: { deeper: [1, 2, { x: null }] } },
      status: { observed: true },
    };
    const echoed = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'notes', namespace: 'db', labels: { app: 'notes' }, annotations: { note: 'kept' }, finalizers: ['example.com/keep'] },
      data: { 'a.txt': 'hello', nested: { deeper: [1, 2, { x: null }] } },
    };
    const cases: Array<[string, SyncRequest]> = [
      ['in a sync that creates', syncRequest(schedule({ spec: spec() }))],
      ['in a sync of an invalid spec', syncRequest(schedule({ spec: spec({ schedule: 'often' }) }))],
      ['in a sync of a parent being deleted', syncRequest(schedule({ spec: spec(), deletionTimestamp: '2024-05-01T03:00:00Z' }))],
    ];
    for (const [what, body] of cases) {
      it(what, async () => {
        body.children['ConfigMap.v1'] = { 'db/notes': structuredClone(configMap) };
        const answer = await sync(appWith().app, body);
        assert.deepEqual(answer.children.find((c) => c.kind === 'ConfigMap'), echoed);
      });
    }
  });

  describe('parent spec invalid: 200, every child kept unchanged, status carried, Ready=False InvalidSpec with an actionable message, nothing created', () => {
    const rows: Array<[string, { name?: string; spec: Record<string, unknown> }, RegExp]> = [
      ['a bad cron', { spec: spec({ schedule: '*/10 * * *' }) }, /spec\.schedule: "\*\/10 \* \* \*" has 4 fields; write a cron of 5 fields/],
      ['a cron field out of range', { spec: spec({ schedule: '61 * * * *' }) }, /spec\.schedule: "61 \* \* \* \*": minute field "61": 61 is above 59; use 0-59/],
      ['maxReservedTime "1x"', { spec: spec({ maxReservedTime: '1x' }) }, /spec\.maxReservedTime: "1x" is not a duration \(unknown unit "x"; use ns, us, ms, s, m or h\); write it as Go does/],
      ['a negative maxReservedTime', { spec: spec({ maxReservedTime: '-1h' }) }, /spec\.maxReservedTime "-1h" must be positive, such as "72h"/],
      ['maxBackups 1.5', { spec: spec({ maxBackups: 1.5 }) }, /spec\.maxBackups 1\.5 must be a whole number >= 0/],
      ['maxBackups "3"', { spec: spec({ maxBackups: '3' }) }, /spec\.maxBackups "3" must be a whole number >= 0/],
      ['no backupTemplate', { spec: { schedule: '*/10 * * * *' } }, /spec\.backupTemplate is missing or not an object; set it to the Backup spec/],
      ['a name of 37 characters', { name: 'a-very-long-backup-schedule-name-0037', spec: spec() }, /use a schedule name of at most 36 characters/],
    ];
    for (const [what, parent, message] of rows) {
      it(what, async () => {
        const scheduleName = parent.name ?? 'nightly';
        const status = { ...last, lastBackup: `${scheduleName}-2024-05-01t01-10-00`, allBackupCleanTime: '2024-04-01T00:00:00Z', custom: { kept: true } };
        const children = [
          backup({ schedule: scheduleName, slot: '2024-04-30T01:00:00Z', state: 'complete' }),
          backup({ schedule: scheduleName, slot: '2024-05-01T01:00:00Z', state: 'failed' }),
          backup({ schedule: scheduleName, slot: '2024-05-01T01:10:00Z', state: 'running' }),
        ];
        const body = syncRequest(schedule({ name: scheduleName, spec: parent.spec, status }), children);
        const { app, log } = appWith();
        const answer = await sync(app, body);
        assert.deepEqual(names(answer), observedNames(body), 'every observed child is kept, nothing is created');
        for (const child of answer.children) {
          const observed = children.find((c) => c.metadata?.name === child.metadata.name);
          assert.deepEqual(child.spec, observed?.spec, `${child.metadata.name} is kept unchanged`);
          assert.deepEqual(child.metadata.labels, observed?.metadata?.labels);
        }
        assert.equal(answer.status.lastBackup, status.lastBackup);
        assert.equal(answer.status.lastBackupTime, status.lastBackupTime);
        assert.equal(answer.status['allBackupCleanTime'], status.allBackupCleanTime);
        assert.deepEqual(answer.status['custom'], { kept: true });
        const ready = answer.status.conditions?.find((c) => c.type === 'Ready');
        assert.equal(ready?.status, 'False');
        assert.equal(ready?.reason, 'InvalidSpec');
        assert.match(ready?.message ?? '', /^the spec is invalid: /);
        assert.match(ready?.message ?? '', message);
        assert.equal(answer.status.nextBackupTime, undefined);
        assert.deepEqual(log.errors(), []);
      });
    }
  });

  describe('children not ours, unknown states, missing status, garbage timestamps: kept, never counted, never deleted', () => {
    /** Backups that look like this schedule's, old and finished, but each has one thing the hook cannot trust. */
    function strangers(): KubeObject[] {
      const at = (slot: string): KubeObject => backup({ slot, state: 'complete' });
      const other = at('2024-04-01T00:00:00Z');
      other.metadata!.labels!['tidb.pingcap.com/backup-schedule'] = 'weekly';
      const unlabelled = at('2024-04-01T00:10:00Z');
      delete unlabelled.metadata!.labels;
      const otherController = at('2024-04-01T00:20:00Z');
      otherController.metadata!.ownerReferences = [{ apiVersion: 'v1', kind: 'Thing', name: 't', uid: 'uid-other', controller: true }];
      const unknownState = at('2024-04-01T00:30:00Z');
      unknownState.status = { phase: 'Exploded', conditions: [{ type: 'Exploded', status: 'True' }] };
      const noStatus = at('2024-04-01T00:40:00Z');
      delete noStatus.status;
      const garbageCommitTs = at('2024-04-01T00:50:00Z');
      garbageCommitTs.status!['commitTs'] = 'yesterday';
      const garbageSlot = at('2024-04-01T01:00:00Z');
      garbageSlot.metadata!.annotations!['backup-schedule-hook/scheduled-at'] = '2024-04-01T25:00:00Z';
      const leapSecond = at('2024-04-01T01:10:00Z');
      leapSecond.metadata!.annotations!['backup-schedule-hook/scheduled-at'] = '2016-12-31T23:59:60Z';
      const garbageCreated = backup({ slot: '2024-04-01T01:20:00Z', state: 'complete', commitTs: null, annotate: false, name: 'manual-1' });
      garbageCreated.metadata!.labels!['tidb.pingcap.com/backup-schedule'] = 'nightly';
      garbageCreated.metadata!.creationTimestamp = 'last tuesday';
      return [other, unlabelled, otherController, unknownState, noStatus, garbageCommitTs, garbageSlot, leapSecond, garbageCreated];
    }
    const ours = [
      backup({ slot: '2024-05-01T02:40:00Z', state: 'complete', commitTs: tsoAt('2024-05-01T02:40:10Z') }),
      backup({ slot: '2024-05-01T02:50:00Z', state: 'complete', commitTs: tsoAt('2024-05-01T02:50:10Z') }),
      backup({ slot: '2024-05-01T03:00:00Z', state: 'complete', commitTs: tsoAt('2024-05-01T03:00:10Z') }),
    ];
    const status = { lastBackup: 'nightly-2024-05-01t03-00-00', lastBackupTime: '2024-05-01T03:00:00Z' };

    it('maxReservedTime deletes only this schedule\'s expired Backups', async () => {
      const body = syncRequest(schedule({ spec: spec({ maxReservedTime: '20m' }), status }), [...strangers(), ...ours]);
      const answer = await sync(appWith().app, body);
      const gone = observedNames(body).filter((n) => !names(answer).includes(n));
      assert.deepEqual(gone, ['Backup/nightly-2024-05-01t02-40-00']);
    });
    it('maxBackups counts only this schedule\'s Backups', async () => {
      const body = syncRequest(schedule({ spec: spec({ maxBackups: 3 }), status }), [...strangers(), ...ours]);
      const answer = await sync(appWith().app, body);
      assert.deepEqual(names(answer), observedNames(body), 'three of ours: nothing beyond maxBackups');
    });
    it('maxBackups 1 removes our older Backups and none of the strangers', async () => {
      const body = syncRequest(schedule({ spec: spec({ maxBackups: 1 }), status }), [...strangers(), ...ours]);
      const answer = await sync(appWith().app, body);
      const gone = observedNames(body).filter((n) => !names(answer).includes(n));
      assert.deepEqual(gone, ['Backup/nightly-2024-05-01t02-40-00', 'Backup/nightly-2024-05-01t02-50-00']);
    });
  });

  describe('an exception inside the hook: 500 with a short message, the full error in the logs, the process keeps serving', () => {
    const faults: Array<[string, Partial<AppOptions>]> = [
      ['the clock throws', { now: () => { throw new Error('clock exploded'); } }],
      ['the decision throws', { decide: () => { throw new Error('decide exploded'); } }],
    ];
    for (const [what, options] of faults) {
      it(what, async () => {
        const { app, log } = appWith(options);
        const res = await postText(app, JSON.stringify(syncRequest(schedule({ spec: spec() }))));
        assert.equal(res.status, 500);
        assert.deepEqual(res.body, { error: 'internal error in the hook; nothing was changed, Metacontroller will retry; see the hook logs' });
        const [logged, ...more] = log.errors();
        assert.equal(more.length, 0);
        const err = logged?.['err'] as { message?: string; stack?: string } | undefined;
        assert.match(err?.message ?? '', /exploded/);
        assert.match(err?.stack ?? '', /exploded\n\s+at /, 'the full error, stack included, is in the logs');
        await request(app).get('/healthz').expect(200);
      });
    }
  });

  describe('a throw of something not an Error: still the 500 JSON answer', () => {
    // Falsy ones too: Express takes a falsy error for none and would go on to the 405 route.
    for (const thrown of ['exploded', 42, { reason: 'exploded' }, null, undefined, 0, '', false]) {
      it(String(JSON.stringify(thrown)), async () => {
        const { app, log } = appWith({
          decide: () => {
            throw thrown;
          },
        });
        const res = await postText(app, JSON.stringify(syncRequest(schedule({ spec: spec() }))));
        assert.equal(res.status, 500);
        assert.deepEqual(res.body, { error: 'internal error in the hook; nothing was changed, Metacontroller will retry; see the hook logs' });
        assert.deepEqual(log.errors().map((l) => l.msg), ['sync failed with an unexpected error']);
      });
    }
  });

  describe('an error marked as the client\'s (a 4xx status, exposed) is answered with its status; any other is a 500', () => {
    const rows: Array<[string, Record<string, unknown>, number]> = [
      ['404, exposed', { status: 404, expose: true }, 404],
      ['404, not exposed', { status: 404, expose: false }, 500],
      ['500, exposed', { status: 500, expose: true }, 500],
      ['399, exposed', { status: 399, expose: true }, 500],
      ['"404" as text, exposed', { status: '404', expose: true }, 500],
    ];
    for (const [what, fields, status] of rows) {
      it(what, async () => {
        const { app, log } = appWith({
          decide: () => {
            throw Object.assign(new Error('exploded'), fields);
          },
        });
        const res = await postText(app, JSON.stringify(syncRequest(schedule({ spec: spec() }))));
        assert.equal(res.status, status);
        if (status === 500) {
          assert.deepEqual(res.body, { error: 'internal error in the hook; nothing was changed, Metacontroller will retry; see the hook logs' });
          assert.deepEqual(log.errors().map((l) => l.msg), ['sync failed with an unexpected error']);
        } else {
          assert.deepEqual(res.body, { error: 'request body could not be read: exploded' });
          const warning = log.lines.find((l) => l.level === 40);
          assert.deepEqual([warning?.msg, warning?.['path'], warning?.['reason']], ['rejected sync request body', '/sync', 'exploded']);
        }
      });
    }
  });

  describe('the same request twice: the same answer', () => {
    const bodies: Array<[string, SyncRequest]> = [
      ['a sync that creates and retires', syncRequest(schedule({ spec: spec({ maxReservedTime: '1h' }), status: last }), [backup({ slot: '2024-05-01T01:00:00Z' }), backup({ slot: '2024-05-01T01:10:00Z' })])],
      ['an invalid spec', syncRequest(schedule({ spec: spec({ maxBackups: '3' }) }), [backup({ slot: '2024-05-01T01:00:00Z' })])],
      ['a parent being deleted', syncRequest(schedule({ spec: spec(), deletionTimestamp: '2024-05-01T03:00:00Z' }), [backup({ slot: '2024-05-01T01:00:00Z' })])],
    ];
    for (const [what, body] of bodies) {
      it(what, async () => {
        const { app } = appWith();
        assert.deepEqual(await sync(app, body), await sync(app, body));
        assert.deepEqual(await sync(app, body), await sync(appWith().app, structuredClone(body)));
      });
    }
  });

  describe('unknown routes 404, wrong methods 405 with Allow, no stack traces', () => {
    const rows: Array<[string, string, number, string | undefined]> = [
      ['get', '/', 404, undefined],
      ['post', '/sync/extra', 404, undefined],
      ['get', '/%E0%A4%A', 404, undefined],
      ['get', '/..%2f..%2fetc%2fpasswd', 404, undefined],
      ['get', '/sync', 405, 'POST'],
      ['put', '/sync', 405, 'POST'],
      ['delete', '/sync', 405, 'POST'],
      ['patch', '/sync', 405, 'POST'],
      ['options', '/sync', 405, 'POST'],
      ['post', '/healthz', 405, 'GET, HEAD'],
      ['delete', '/readyz', 405, 'GET, HEAD'],
      ['get', '/customize', 405, 'POST'],
    ];
    it('says which routes the hook serves, and which method a route takes', async () => {
      const { app } = appWith();
      assert.equal(
        (await request(app).get('/nope').expect(404)).body.error,
        'no route GET /nope; the hook serves POST /sync, POST /customize, GET /healthz, GET /readyz and GET /metrics',
      );
      assert.equal((await request(app).put('/sync').expect(405)).body.error, 'PUT is not allowed on /sync; use POST');
    });
    for (const [method, path, status, allow] of rows) {
      it(`${method.toUpperCase()} ${path} → ${status}`, async () => {
        const { app, log } = appWith();
        const res = await (request(app) as unknown as Record<string, (p: string) => request.Test>)[method]!(path);
        assertNoStack(res);
        assert.equal(res.status, status);
        assert.equal(res.headers['allow'], allow);
        assert.equal(typeof res.body.error, 'string');
        assert.deepEqual(log.errors(), []);
      });
    }
  });
});
