/**
 * The answer step as a user of the controller sees it: the next tick written to the status, the log's truncation point,
 * which children are echoed, and the report behind logs and metrics.
 */

import assert from 'node:assert/strict';

import { backupName } from '../../src/core/names.js';
import { decide } from '../../src/core/sync.js';
import type { Decision } from '../../src/core/sync.js';
import type { JsonObject, KubeObject, SyncRequest } from '../../src/core/types.js';
import { BR_TEMPLATE, LOG_TEMPLATE, backup, compactBackup, logBackup, request, schedule, tsoAt, withCompacts } from '../support/objects.js';

const at = (hhmm: string): string => `2024-05-01T${hhmm}Z`;
const readyMessage = (d: Decision): unknown => (d.response.status.conditions as JsonObject[] | undefined)?.find((c) => c['type'] === 'Ready')?.['message'];

describe('the answer: status.nextBackupTime of an @every schedule', () => {
  const every = (interval: string): JsonObject => ({ schedule: `@every ${interval}`, backupTemplate: BR_TEMPLATE });
  const cases: ReadonlyArray<{ name: string; req: SyncRequest; now: string; next: string | undefined; message: string }> = [
    {
      name: 'no Backup yet: counted from the schedule creation',
      req: request(schedule({ created: at('00:00:30'), spec: every('7m') })),
      now: at('00:03:00'),
      next: at('00:07:30'),
      message: `next Backup at ${at('00:07:30')}`,
    },
    {
      name: 'a missed tick recorded after the last Backup: counted from the missed tick',
      req: request(
        schedule({ spec: every('10m'), status: { lastBackup: 'nightly-2024-05-01t00-00-00', lastBackupTime: at('00:00:00'), lastMissedTime: at('00:13:00') } }),
        [backup({ slot: at('00:00:00') })],
      ),
      now: at('00:15:00'),
      next: at('00:23:00'),
      message: `next Backup at ${at('00:23:00')}`,
    },
    {
      name: 'a tick at the last writable second (9999-12-31T23:59:59Z) is written',
      req: request(schedule({ spec: every('10m'), status: { lastBackup: 'far', lastBackupTime: '9999-12-31T23:49:59Z' } })),
      now: at('00:15:00'),
      next: '9999-12-31T23:59:59Z',
      message: 'next Backup at 9999-12-31T23:59:59Z',
    },
    {
      name: 'a tick after year 9999: none is written',
      req: request(schedule({ spec: every('10m'), status: { lastBackup: 'far', lastBackupTime: '9999-12-31T23:50:00Z' } })),
      now: at('00:15:00'),
      next: undefined,
      message: 'the schedule has no future tick',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const d = decide(c.req, { now: Date.parse(c.now) });
      assert.equal(d.response.status.nextBackupTime, c.next);
      assert.equal(readyMessage(d), c.message);
    });
  }
});

describe('the answer while paused: nothing starts, whatever is due', () => {
  // The last Backup is the 00:10 one; the status still shows the 00:20 tick written before the pause.
  const TEN = 'nightly-2024-05-01t00-10-00';
  const status = { lastBackup: TEN, lastBackupTime: at('00:10:00'), nextBackupTime: at('00:20:00') };
  const PAUSED = { reason: 'Paused', message: 'spec.pause is true: no new Backups; retention still runs' };
  const cases: ReadonlyArray<{ name: string; spec?: JsonObject; last: 'complete' | 'running'; now: string }> = [
    { name: 'a tick due, nothing running (unpaused: created)', last: 'complete', now: at('00:20:05') },
    { name: 'a tick due behind a running Backup (unpaused: WaitingForPreviousBackup)', last: 'running', now: at('00:20:05') },
    { name: 'nothing due (unpaused: idle)', last: 'complete', now: at('00:15:00') },
    {
      name: 'a tick waiting within its startingDeadlineSeconds (unpaused: called back when it is missed)',
      spec: { startingDeadlineSeconds: 60 },
      last: 'running',
      now: at('00:20:10'),
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const spec: JsonObject = { schedule: '*/10 * * * *', backupTemplate: BR_TEMPLATE, pause: true, ...c.spec };
      const d = decide(request(schedule({ spec, status }), [backup({ slot: at('00:10:00'), state: c.last })]), { now: Date.parse(c.now) });
      const ready = (d.response.status.conditions as JsonObject[] | undefined)?.find((x) => x['type'] === 'Ready');
      assert.deepEqual(
        {
          children: d.response.children.map((x) => x.metadata.name),
          outcome: d.report.outcome,
          ready: { reason: ready?.['reason'], message: ready?.['message'] },
          nextBackupTime: d.response.status.nextBackupTime,
          resyncAfterSeconds: d.response.resyncAfterSeconds,
        },
        { children: [TEN], outcome: 'paused', ready: PAUSED, nextBackupTime: undefined, resyncAfterSeconds: undefined },
      );
    });
  }
});

describe('the answer: the log Backup spec.logTruncateUntil moves forward only', () => {
  // Hourly snapshots at 00:00, 01:00, 02:00, maxBackups 2: 00:00 goes, the log is truncated up to 01:00's commit.
  const slots = [at('00:00:00'), at('01:00:00'), at('02:00:00')];
  const base = tsoAt(at('01:00:10'));
  function withLog(options: { truncateUntil?: string; compacts?: KubeObject[] }): SyncRequest {
    const parent = schedule({
      spec: { schedule: '0 * * * *', backupTemplate: BR_TEMPLATE, maxBackups: 2, logBackupTemplate: LOG_TEMPLATE },
      status: { lastBackup: backupName('nightly', Date.parse(slots[2]!)), lastBackupTime: slots[2]!, logBackup: 'log-nightly', logBackupStartTs: slots[0]! },
    });
    const log = logBackup({ start: slots[0]!, checkpoint: at('02:30:00'), ...(options.truncateUntil === undefined ? {} : { truncateUntil: options.truncateUntil }) });
    return withCompacts(request(parent, [...slots.map((slot) => backup({ slot })), log]), options.compacts ?? []);
  }
  const logTruncateUntil = (d: Decision, kind = 'Backup'): unknown => (d.response.children.find((c) => c.kind === kind && c.metadata.name === 'log-nightly')?.spec as JsonObject | undefined)?.['logTruncateUntil'];

  const cases: ReadonlyArray<{ name: string; truncateUntil?: string; expected: string }> = [
    { name: 'not truncated yet: up to the restore base', expected: base },
    { name: 'truncated less far: up to the restore base', truncateUntil: tsoAt(at('00:30:00')), expected: base },
    { name: 'truncated further already: stays there', truncateUntil: tsoAt(at('01:30:00')), expected: tsoAt(at('01:30:00')) },
    { name: 'an unreadable truncation point is replaced', truncateUntil: 'soon', expected: base },
    // A JSON number past the restore base: its digits would read as a TSO further on, but only a string is one.
    { name: 'a truncation point that is a number, not a TSO string, is replaced', truncateUntil: 450_000_000_000_000_000 as unknown as string, expected: base },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const d = decide(withLog(c.truncateUntil === undefined ? {} : { truncateUntil: c.truncateUntil }), { now: Date.parse(at('02:40:00')) });
      assert.deepEqual(d.report.deletions.map((x) => x.name), ['nightly-2024-05-01t00-00-00']);
      assert.equal(logTruncateUntil(d), c.expected);
    });
  }

  it('truncates a log Backup whose live object has no spec from its applied form', () => {
    const req = withLog({});
    const log = Object.values(req.children['Backup.pingcap.com/v1alpha1']!).find((c) => c.metadata?.name === 'log-nightly')!;
    delete log.spec;
    assert.equal(logTruncateUntil(decide(req, { now: Date.parse(at('02:40:00')) })), base);
  });

  it('leaves a CompactBackup that shares the log Backup name as it is', () => {
    const compact = compactBackup({ name: 'log-nightly', start: at('00:00:00'), end: at('01:00:00') });
    const d = decide(withLog({ compacts: [compact] }), { now: Date.parse(at('02:40:00')) });
    assert.equal(logTruncateUntil(d), base);
    assert.equal(logTruncateUntil(d, 'CompactBackup'), undefined);
  });

  /** The request with the log Backup's live spec and its last-applied configuration truncated up to these points. */
  function withTruncation(points: { live?: string; applied?: string }): SyncRequest {
    const req = withLog({});
    const log = Object.values(req.children['Backup.pingcap.com/v1alpha1']!).find((c) => c.metadata?.name === 'log-nightly')!;
    const annotations = log.metadata!.annotations!;
    const applied = JSON.parse(annotations['metacontroller.k8s.io/last-applied-configuration']!) as KubeObject;
    if (points.applied !== undefined) applied.spec!['logTruncateUntil'] = points.applied;
    annotations['metacontroller.k8s.io/last-applied-configuration'] = JSON.stringify(applied);
    if (points.live !== undefined) log.spec!['logTruncateUntil'] = points.live;
    return req;
  }
  const further = tsoAt(at('01:30:00'));
  const truncationCases: ReadonlyArray<{ name: string; live?: string; applied?: string; expected: string }> = [
    { name: 'applied further, live not yet (the update is still on its way): stays at the applied point', applied: further, expected: further },
    { name: 'live further (someone else moved it), applied not: stays at the live point', live: further, expected: further },
    { name: 'both behind the restore base: up to the base', live: tsoAt(at('00:20:00')), applied: tsoAt(at('00:30:00')), expected: base },
  ];
  for (const c of truncationCases) {
    it(`never moves back: ${c.name}`, () => {
      const d = decide(withTruncation(c), { now: Date.parse(at('02:40:00')) });
      assert.equal(logTruncateUntil(d), c.expected);
    });
  }

  it('changes only spec.logTruncateUntil: the rest of the log Backup stays as applied, and no snapshot Backup is truncated', () => {
    const d = decide(withLog({}), { now: Date.parse(at('02:40:00')) });
    const log = d.response.children.find((c) => c.kind === 'Backup' && c.metadata.name === 'log-nightly');
    const applied = logBackup({ start: slots[0]!, checkpoint: at('02:30:00') }).spec as JsonObject;
    assert.deepEqual(log?.spec, { ...applied, logTruncateUntil: base });
    assert.deepEqual(log?.metadata.labels, logBackup({ start: slots[0]!, checkpoint: at('02:30:00') }).metadata?.labels);
    const snapshots = d.response.children.filter((c) => c.kind === 'Backup' && c.metadata.name !== 'log-nightly');
    assert.deepEqual(snapshots.map((c) => c.metadata.name), ['nightly-2024-05-01t01-00-00', 'nightly-2024-05-01t02-00-00']);
    for (const snapshot of snapshots) assert.equal((snapshot.spec as JsonObject)['logTruncateUntil'], undefined);
  });
});

describe('the answer: children', () => {
  it('creates the due Backup even when a CompactBackup already has its name', () => {
    const due = backupName('nightly', Date.parse(at('00:10:00')));
    const req = withCompacts(request(schedule()), [compactBackup({ name: due, start: at('00:00:00'), end: at('00:05:00') })]);
    const { response } = decide(req, { now: Date.parse(at('00:10:05')) });
    assert.deepEqual(
      response.children.filter((c) => c.metadata.name === due).map((c) => c.kind),
      ['Backup', 'CompactBackup'],
    );
  });

  it('keeps a Backup under the log Backup’s name that is not the schedule’s as it is, and asks for no second one', () => {
    const spec: JsonObject = { schedule: '*/10 * * * *', backupTemplate: BR_TEMPLATE, logBackupTemplate: LOG_TEMPLATE };
    const stranger = logBackup({ schedule: 'other', start: at('00:00:00'), checkpoint: at('00:04:00') });
    stranger.metadata!.name = 'log-nightly';
    const { response } = decide(request(schedule({ spec }), [stranger]), { now: Date.parse(at('00:05:00')) });
    const named = response.children.filter((c) => c.kind === 'Backup' && c.metadata.name === 'log-nightly');
    assert.equal(named.length, 1);
    // As applied, but under this schedule's selector: Metacontroller sent it, so its live controller-uid is this schedule's.
    assert.deepEqual(named[0]?.metadata.labels, { ...stranger.metadata?.labels, 'controller-uid': 'uid-nightly' });
  });

  it('echoes a child of another type, unless it is being deleted', () => {
    const other = (name: string, deleting: boolean): KubeObject => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, namespace: 'db', ...(deleting ? { deletionTimestamp: at('00:05:00') } : {}) },
      data: {},
    });
    const req = request(schedule(), [], { children: { 'ConfigMap.v1': { 'db/kept': other('kept', false), 'db/going': other('going', true) } } });
    const { response } = decide(req, { now: Date.parse(at('00:05:00')) });
    assert.deepEqual(response.children.filter((c) => c.kind === 'ConfigMap').map((c) => c.metadata.name), ['kept']);
  });
});

describe('the answer: the report behind logs and metrics', () => {
  const TEN = 'nightly-2024-05-01t00-10-00';
  const status = { lastBackup: TEN, lastBackupTime: at('00:10:00') };
  const cases: ReadonlyArray<{ name: string; req: SyncRequest; now: string; expected: Partial<Decision['report']> }> = [
    { name: 'a tick due: created', req: request(schedule()), now: at('00:10:05'), expected: { outcome: 'created', created: TEN, askedAgain: null } },
    {
      name: 'a backup-now request served while no tick is due: created',
      req: request(schedule({ status: { ...status, backupNowRequest: { token: 'a1', seenAt: at('00:09:00') } }, annotations: { 'backup-schedule-hook/backup-now': 'a1' } }), [
        backup({ slot: at('00:10:00') }),
      ]),
      now: at('00:15:00'),
      expected: { outcome: 'created', created: 'nightly-manual-a1' },
    },
    { name: 'nothing due: idle', req: request(schedule({ status }), [backup({ slot: at('00:10:00') })]), now: at('00:15:00'), expected: { outcome: 'idle', created: null } },
    {
      name: 'the last Backup missing from the view within the grace: asked again',
      req: request(schedule({ status: { ...status, lastBackupCreation: { name: TEN, time: at('00:10:02') } } })),
      now: at('00:11:00'),
      expected: { outcome: 'idle', created: null, askedAgain: TEN },
    },
    {
      name: 'a tick due while the last Backup runs: waiting',
      req: request(schedule({ status }), [backup({ slot: at('00:10:00'), state: 'running' })]),
      now: at('00:20:05'),
      expected: { outcome: 'waiting', created: null },
    },
    {
      name: 'a running Backup past backupTimeout and one still being deleted after an hour are named',
      req: request(schedule({ spec: { schedule: '0 0 1 1 *', backupTemplate: BR_TEMPLATE, backupTimeout: '1h' }, status }), [
        backup({ slot: at('00:10:00'), state: 'running' }),
        backup({ slot: at('00:00:00'), deleting: at('00:30:00') }),
      ]),
      now: at('02:00:00'),
      expected: { stuck: [TEN], deletionStuck: ['nightly-2024-05-01t00-00-00'] },
    },
    {
      name: 'nothing to retire or report: empty lists',
      req: request(schedule({ status }), [backup({ slot: at('00:10:00') })]),
      now: at('00:15:00'),
      expected: { deletions: [], deferredDeletions: 0, problems: [], stuck: [], deletionStuck: [] },
    },
    {
      name: 'an invalid spec: nothing deleted, nothing stuck',
      req: request(schedule({ spec: { schedule: 'never' } }), [backup({ slot: at('00:10:00'), state: 'running' })]),
      now: at('00:15:00'),
      expected: { outcome: 'invalid', deletions: [], stuck: [], deletionStuck: [] },
    },
    {
      name: 'the schedule being deleted: no problems, nothing deleted, nothing stuck',
      req: request(schedule({ deletionTimestamp: at('00:12:00') }), [backup({ slot: at('00:10:00') })]),
      now: at('00:15:00'),
      expected: { outcome: 'parent-deleting', deletions: [], problems: [], stuck: [], deletionStuck: [] },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { report } = decide(c.req, { now: Date.parse(c.now) });
      const seen = Object.fromEntries(Object.keys(c.expected).map((k) => [k, report[k as keyof typeof report]]));
      assert.deepEqual(seen, c.expected);
    });
  }

  const intervals: ReadonlyArray<{ schedule: string; now: string; interval: number }> = [
    { schedule: '*/10 * * * *', now: at('00:15:00'), interval: 10 * 60_000 },
    { schedule: '@every 7m', now: at('00:15:00'), interval: 7 * 60_000 },
    // Weekdays at 09:00, on a Monday morning: the gap around now is the weekend's (Friday to Monday).
    { schedule: '0 9 * * 1-5', now: '2024-05-06T08:00:00Z', interval: 72 * 3_600_000 },
  ];
  for (const c of intervals) {
    it(`reports the schedule’s interval around now in its facts: ${c.schedule}`, () => {
      const { report } = decide(request(schedule({ spec: { schedule: c.schedule, backupTemplate: BR_TEMPLATE } })), { now: Date.parse(c.now) });
      assert.equal(report.facts.expectedIntervalMs, c.interval);
    });
  }

  it('reports a valid spec as valid in its facts', () => {
    const { report } = decide(request(schedule()), { now: Date.parse(at('00:15:00')) });
    assert.equal(report.facts.specValid, true);
  });
});

describe('the answer: the Ready condition while a tick is due', () => {
  // */10: the 00:10 tick is due; the quiet window before the 00:20 tick starts at 00:15 (the grace, half the interval).
  const TEN = 'nightly-2024-05-01t00-00-00';
  const status = { lastBackup: TEN, lastBackupTime: at('00:00:00') };
  const cases: ReadonlyArray<{ name: string; last: 'complete' | 'running'; now: string; outcome: string; reason: string; message: RegExp }> = [
    { name: 'behind a running last Backup: WaitingForPreviousBackup', last: 'running', now: at('00:10:05'), outcome: 'waiting', reason: 'WaitingForPreviousBackup', message: /^a scheduled Backup is due: .*nightly-2024-05-01t00-00-00/ },
    {
      name: 'in the quiet window before the next tick: Scheduled, waiting for that tick',
      last: 'complete',
      now: at('00:16:00'),
      outcome: 'waiting',
      reason: 'Scheduled',
      message: /^a scheduled Backup is due: the next tick 2024-05-01T00:20:00Z is less than 300s away/,
    },
    { name: 'created: Scheduled, the next tick', last: 'complete', now: at('00:10:05'), outcome: 'created', reason: 'Scheduled', message: /^next Backup at 2024-05-01T00:20:00Z$/ },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const d = decide(request(schedule({ status }), [backup({ slot: at('00:00:00'), state: c.last })]), { now: Date.parse(c.now) });
      const ready = (d.response.status.conditions as JsonObject[] | undefined)?.find((x) => x['type'] === 'Ready');
      assert.equal(d.report.outcome, c.outcome);
      assert.equal(ready?.['reason'], c.reason);
      assert.match(String(ready?.['message']), c.message);
      assert.equal(d.report.message, ready?.['message']);
    });
  }
});

describe('the answer: the report’s outcome is the due tick’s', () => {
  // The 00:10 slot's name is held by a Backup the schedule cannot read: the tick waits; the backup-now request, seen
  // past its grace, is served meanwhile. The outcome stays `waiting` (a slot is due and a gate holds it, docs/observe.md).
  const taken = (): KubeObject => backup({ slot: at('00:10:00'), commitTs: 'garbage' });
  const parent = (): ReturnType<typeof schedule> =>
    schedule({ annotations: { 'backup-schedule-hook/backup-now': 'tok1' }, status: { backupNowRequest: { token: 'tok1', seenAt: at('00:00:00') } } });
  it('a tick held while a backup-now Backup is created: waiting, and the report names what was created', () => {
    const d = decide(request(parent(), [taken()]), { now: Date.parse(at('00:12:00')) });
    assert.deepEqual({ outcome: d.report.outcome, created: d.report.created }, { outcome: 'waiting', created: 'nightly-manual-tok1' });
  });
  it('no tick due while a backup-now Backup is created: created', () => {
    const hourly = parent();
    hourly.spec = { schedule: '0 * * * *', backupTemplate: BR_TEMPLATE };
    const d = decide(request(hourly, []), { now: Date.parse(at('00:06:00')) });
    assert.deepEqual({ outcome: d.report.outcome, created: d.report.created }, { outcome: 'created', created: 'nightly-manual-tok1' });
  });
});
