/** The status fields this hook adds to upstream's, as a sync answer writes them. */

import assert from 'node:assert/strict';

import { parseSchedule } from '../../src/core/schedule.js';
import { scheduleHash } from '../../src/core/schedule-edit.js';
import { decide } from '../../src/core/sync.js';
import type { JsonObject } from '../../src/core/types.js';
import { BR_TEMPLATE, backup, request, schedule } from '../support/objects.js';

const at = (hhmm: string): string => `2024-05-01T${hhmm}:00Z`;
const hashOf = (expression: string): string => {
  const parsed = parseSchedule(expression);
  assert.ok(parsed.ok);
  return scheduleHash(parsed.schedule);
};
const spec = (expression: string): JsonObject => ({ schedule: expression, backupTemplate: BR_TEMPLATE });

describe('the answer’s status: scheduleEditSeenAt', () => {
  const cases: ReadonlyArray<{ name: string; expression: string; previous: JsonObject; seenAt: string | undefined }> = [
    { name: 'an edit is recorded when a sync first sees it', expression: '30 * * * *', previous: { scheduleHash: hashOf('0 * * * *') }, seenAt: at('03:20') },
    { name: 'a recorded sighting stays as written while the hash is unchanged', expression: '30 * * * *', previous: { scheduleHash: hashOf('30 * * * *'), scheduleEditSeenAt: '2024-05-01T03:10:00Z' }, seenAt: '2024-05-01T03:10:00Z' },
    { name: 'another edit is a new sighting', expression: '30 * * * *', previous: { scheduleHash: hashOf('0 * * * *'), scheduleEditSeenAt: '2024-05-01T03:10:00Z' }, seenAt: at('03:20') },
    { name: 'no edit: none is written', expression: '0 * * * *', previous: { scheduleHash: hashOf('0 * * * *') }, seenAt: undefined },
    { name: 'no recorded hash: an old sighting is dropped', expression: '0 * * * *', previous: { scheduleEditSeenAt: '2024-05-01T02:00:00Z' }, seenAt: undefined },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const d = decide(request(schedule({ spec: spec(c.expression), status: { lastBackup: 'x', lastBackupTime: at('03:00'), ...c.previous } })), { now: Date.parse(at('03:20')) });
      assert.equal(d.response.status['scheduleEditSeenAt'], c.seenAt);
      assert.equal(d.response.status.scheduleHash, hashOf(c.expression));
    });
  }
});

describe('the answer’s status: a backup-now request', () => {
  const parent = (status: JsonObject) => schedule({ spec: spec('0 * * * *'), annotations: { 'backup-schedule-hook/backup-now': 'tok1' }, status });
  it('first seen: recorded as waiting, since now', () => {
    const d = decide(request(parent({})), { now: Date.parse(at('00:06')) });
    assert.deepEqual(d.response.status['backupNowRequest'], { token: 'tok1', seenAt: at('00:06') });
    assert.equal(d.response.status['lastBackupNow'], undefined);
  });
  it('served past the grace: lastBackupNow names its Backup and when it was asked for, and nothing is pending', () => {
    const d = decide(request(parent({ backupNowRequest: { token: 'tok1', seenAt: at('00:00') } })), { now: Date.parse(at('00:06')) });
    assert.equal(d.report.created, 'nightly-manual-tok1');
    assert.deepEqual(d.response.status['lastBackupNow'], { name: 'nightly-manual-tok1', token: 'tok1', askedAt: at('00:06') });
    assert.equal(d.response.status['backupNowRequest'], undefined);
  });
});

describe('the answer’s status: lastMissedTime', () => {
  const cases: ReadonlyArray<{ name: string; spec: JsonObject; previous: JsonObject; missed: string | undefined }> = [
    { name: 'no slot missed: none is written', spec: {}, previous: { lastBackupTime: at('03:00') }, missed: undefined },
    { name: 'a recorded one stays as written', spec: {}, previous: { lastBackupTime: at('03:00'), lastMissedTime: '2024-05-01T01:00:00Z' }, missed: '2024-05-01T01:00:00Z' },
    { name: 'a slot past its starting deadline is recorded', spec: { startingDeadlineSeconds: 60 }, previous: { lastBackupTime: at('01:00') }, missed: at('03:00') },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const d = decide(request(schedule({ spec: { ...spec('0 * * * *'), ...c.spec }, status: { lastBackup: 'x', ...c.previous } })), { now: Date.parse(at('03:20')) });
      assert.equal(d.response.status['lastMissedTime'], c.missed);
    });
  }
});

describe('the answer’s status: a recorded lastBackupNow and a stuck Backup', () => {
  it('a lastBackupNow already served is left as written, fields the hook does not know included', () => {
    const recorded = { name: 'nightly-manual-tok0', token: 'tok0', requestedBy: 'alice' };
    const parent = schedule({ spec: spec('0 * * * *'), annotations: { 'backup-schedule-hook/backup-now': 'tok0' }, status: { lastBackup: 'x', lastBackupTime: at('03:00'), lastBackupNow: recorded } });
    const d = decide(request(parent), { now: Date.parse(at('03:20')) });
    assert.deepEqual(d.response.status['lastBackupNow'], recorded);
  });
  it('the BackupStuck condition names spec.backupTimeout as written', () => {
    const parent = schedule({ spec: { ...spec('0 * * * *'), backupTimeout: '1h' }, status: { lastBackup: 'nightly-2024-05-01t01-00-00', lastBackupTime: at('01:00') } });
    const d = decide(request(parent, [backup({ slot: at('01:00'), state: 'running' })]), { now: Date.parse(at('02:30')) });
    const stuck = d.response.status.conditions?.find((c) => c.type === 'BackupStuck');
    assert.equal(stuck?.status, 'True');
    assert.equal(
      stuck?.message,
      'Backup nightly-2024-05-01t01-00-00 (created 2024-05-01T01:00:02Z) has not finished within spec.backupTimeout 1h; the schedule no longer waits for it and keeps it for inspection: check its Job and pod, then delete it',
    );
  });
});
