import assert from 'node:assert/strict';

import { observeChildren } from '../../src/core/observe.js';
import type { SnapshotBackup } from '../../src/core/observe.js';
import { buildStatus, conditionOf, sameInstantOr, setCondition, withFindings, withLastSuccessful } from '../../src/core/status.js';
import type { BackupScheduleStatus, KubeObject } from '../../src/core/types.js';
import { backup, schedule } from '../support/objects.js';

const at = (hhmm: string): string => `2024-05-01T${hhmm}:00Z`;
const name = (hhmm: string): string => `nightly-2024-05-01t${hhmm.replace(':', '-')}-00`;

function snapshotsOf(children: KubeObject[]): SnapshotBackup[] {
  const map = Object.fromEntries(children.map((c) => [`db/${c.metadata?.name}`, c]));
  return observeChildren(schedule(), { 'Backup.pingcap.com/v1alpha1': map }).backups.filter((b): b is SnapshotBackup => b.role === 'snapshot');
}

describe('buildStatus', () => {
  const ready = { reason: 'Scheduled' as const, message: 'ok' };
  const cases: ReadonlyArray<{ name: string; previous: BackupScheduleStatus; createdAt: string | null; creation: unknown }> = [
    { name: 'records when the last Backup was asked for', previous: {}, createdAt: '2024-05-01T00:20:03Z', creation: { name: name('00:20'), time: '2024-05-01T00:20:03Z' } },
    { name: 'drops the record when that is unknown', previous: {}, createdAt: null, creation: undefined },
    { name: 'drops a record of another Backup when that is unknown', previous: { lastBackupCreation: { name: name('00:10'), time: '2024-05-01T00:10:03Z' } }, createdAt: null, creation: undefined },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const last = { name: name('00:20'), time: Date.parse(at('00:20')), createdAt: c.createdAt === null ? null : Date.parse(c.createdAt) };
      const status = buildStatus(c.previous, { now: Date.parse(at('00:21')), last, nextBackupTime: null, ready });
      assert.deepEqual(status['lastBackupCreation'], c.creation);
    });
  }
});

describe('buildStatus, the fields it owns', () => {
  const now = Date.parse(at('00:21'));
  const scheduled = { reason: 'Scheduled' as const, message: 'next at 00:30' };
  const recorded: BackupScheduleStatus = { lastBackup: name('00:10'), lastBackupTime: at('00:10'), nextBackupTime: at('00:20'), custom: 'kept' };

  it('moves lastBackup and lastBackupTime to the last Backup, carries other fields and drops a stale nextBackupTime', () => {
    const status = buildStatus(recorded, { now, last: { name: name('00:20'), time: Date.parse(at('00:20')), createdAt: null }, nextBackupTime: null, ready: scheduled });
    assert.deepEqual(status, {
      lastBackup: name('00:20'),
      lastBackupTime: '2024-05-01T00:20:00Z',
      custom: 'kept',
      conditions: [{ type: 'Ready', status: 'True', reason: 'Scheduled', message: 'next at 00:30', lastTransitionTime: '2024-05-01T00:21:00Z' }],
    });
  });

  it('keeps the recorded last Backup when none is known, and writes the next tick', () => {
    const status = buildStatus(recorded, { now, last: { name: null, time: null, createdAt: Date.parse(at('00:20')) }, nextBackupTime: Date.parse(at('00:30')), ready: scheduled });
    assert.deepEqual([status.lastBackup, status.lastBackupTime, status.nextBackupTime, status['lastBackupCreation']], [name('00:10'), at('00:10'), '2024-05-01T00:30:00Z', undefined]);
  });

  it('reports Ready False for an invalid spec only', () => {
    const readyOf = (reason: 'InvalidSpec' | 'Paused' | 'WaitingForPreviousBackup'): unknown =>
      buildStatus({}, { now, last: { name: null, time: null, createdAt: null }, nextBackupTime: null, ready: { reason, message: 'm' } }).conditions?.map((c) => [c.type, c.status]);
    assert.deepEqual(readyOf('InvalidSpec'), [['Ready', 'False']]);
    assert.deepEqual(readyOf('Paused'), [['Ready', 'True']]);
    assert.deepEqual(readyOf('WaitingForPreviousBackup'), [['Ready', 'True']]);
  });

  it('writes the conditions and fields other decisions report, after Ready', () => {
    const status = buildStatus(
      { conditions: [{ type: 'LogBackupMissing', status: 'True', reason: 'NotFound', message: 'old', lastTransitionTime: at('00:00') }] },
      {
        now,
        last: { name: null, time: null, createdAt: null },
        nextBackupTime: null,
        ready: scheduled,
        fields: { logBackup: 'log-nightly' },
        conditions: [{ type: 'LogBackupMissing', status: 'False', reason: 'Found', message: 'found' }],
      },
    );
    assert.equal(status['logBackup'], 'log-nightly');
    assert.deepEqual(status.conditions?.map((c) => [c.type, c.status, c.reason, c.lastTransitionTime]), [
      ['LogBackupMissing', 'False', 'Found', '2024-05-01T00:21:00Z'],
      ['Ready', 'True', 'Scheduled', '2024-05-01T00:21:00Z'],
    ]);
  });
});

describe('withLastSuccessful', () => {
  const completeTo0020 = snapshotsOf([backup({ slot: at('00:10') }), backup({ slot: at('00:20') }), backup({ slot: at('00:30'), state: 'running' })]);
  const cases: ReadonlyArray<{ name: string; status: BackupScheduleStatus; snapshots?: SnapshotBackup[]; backup: unknown; time: unknown }> = [
    { name: 'names the Complete Backup with the newest slot, and when it completed', status: {}, backup: name('00:20'), time: '2024-05-01T00:25:00Z' },
    { name: 'moves forward from an older recorded one', status: { lastSuccessfulBackup: name('00:10'), lastSuccessfulTime: '2024-05-01T00:15:00Z' }, backup: name('00:20'), time: '2024-05-01T00:25:00Z' },
    { name: 'never moves back from a newer one missing from the view (slot read from its name)', status: { lastSuccessfulBackup: name('00:40'), lastSuccessfulTime: '2024-05-01T00:45:00Z' }, backup: name('00:40'), time: '2024-05-01T00:45:00Z' },
    { name: 'never moves back from a newer one whose name says no slot (its time then)', status: { lastSuccessfulBackup: 'migrated', lastSuccessfulTime: '2024-05-01T00:45:00Z' }, backup: 'migrated', time: '2024-05-01T00:45:00Z' },
    { name: 'moves forward from an older one whose name says no slot', status: { lastSuccessfulBackup: 'migrated', lastSuccessfulTime: '2024-05-01T00:05:00Z' }, backup: name('00:20'), time: '2024-05-01T00:25:00Z' },
    { name: 'moves to the newest from one whose name says no slot, recorded at the same instant', status: { lastSuccessfulBackup: 'migrated', lastSuccessfulTime: at('00:20') }, backup: name('00:20'), time: '2024-05-01T00:25:00Z' },
    { name: 'reads an empty recorded name as none, whatever its time says', status: { lastSuccessfulBackup: '', lastSuccessfulTime: '2024-05-01T00:45:00Z' }, backup: name('00:20'), time: '2024-05-01T00:25:00Z' },
    {
      name: 'drops the recorded time when the Backup does not say when it completed',
      status: { lastSuccessfulBackup: name('00:10'), lastSuccessfulTime: '2024-05-01T00:15:00Z' },
      snapshots: snapshotsOf([backup({ slot: at('00:20'), extraStatus: { timeCompleted: 'soon', conditions: [{ type: 'Complete', status: 'True' }] } })]),
      backup: name('00:20'),
      time: undefined,
    },
  ];
  it('moves on from a backup-now Backup to the tick that waited for it, though the backup-now one completed after that slot', () => {
    // Asked for at 00:06, complete at 00:11; the 00:10 tick waited for it and completed at 00:15: the newer backup.
    const manual = backup({ slot: at('00:06'), name: 'nightly-manual-abc', annotate: false, created: at('00:06') });
    const snapshots = snapshotsOf([manual, backup({ slot: at('00:10') })]);
    const status = withLastSuccessful({ lastSuccessfulBackup: 'nightly-manual-abc', lastSuccessfulTime: '2024-05-01T00:11:00Z' }, { scheduleName: 'nightly', snapshots });
    assert.deepEqual([status.lastSuccessfulBackup, status['lastSuccessfulTime']], [name('00:10'), '2024-05-01T00:15:00Z']);
  });
  it('updates the time of the recorded Backup itself, even when its name says a later slot than its annotation', () => {
    const renamed = snapshotsOf([backup({ slot: at('00:10'), name: name('00:20') })]);
    const status = withLastSuccessful({ lastSuccessfulBackup: name('00:20') }, { scheduleName: 'nightly', snapshots: renamed });
    assert.deepEqual([status.lastSuccessfulBackup, status['lastSuccessfulTime']], [name('00:20'), '2024-05-01T00:15:00Z']);
  });
  for (const c of cases) {
    it(c.name, () => {
      const status = withLastSuccessful(c.status, { scheduleName: 'nightly', snapshots: c.snapshots ?? completeTo0020 });
      assert.deepEqual([status.lastSuccessfulBackup, status['lastSuccessfulTime']], [c.backup, c.time]);
    });
  }
});

describe('sameInstantOr', () => {
  const instant = Date.parse('2024-05-01T00:10:00Z');
  const cases: ReadonlyArray<{ name: string; previous: unknown; text: string }> = [
    { name: 'keeps a recorded text naming the same instant (no churn)', previous: '2024-05-01T00:10:00.000Z', text: '2024-05-01T00:10:00.000Z' },
    { name: 'formats an instant the recorded text does not name', previous: '2024-05-01T00:20:00.000Z', text: '2024-05-01T00:10:00Z' },
    { name: 'formats when nothing is recorded', previous: undefined, text: '2024-05-01T00:10:00Z' },
    { name: 'formats when the record is not a text', previous: instant, text: '2024-05-01T00:10:00Z' },
  ];
  for (const c of cases) it(c.name, () => assert.equal(sameInstantOr(c.previous, instant), c.text));
});

describe('setCondition', () => {
  const before = '2024-05-01T00:00:00Z';
  const now = Date.parse(at('00:20'));
  const ready = (status: string, reason: string, extra: object = { lastTransitionTime: before }): object => ({ type: 'Ready', status, reason, message: 'm', ...extra });
  const cases: ReadonlyArray<{ name: string; previous: unknown; update: { status: 'True' | 'False'; reason: string }; transition: string }> = [
    { name: 'carries the transition time forward when status and reason stay', previous: [ready('True', 'Scheduled')], update: { status: 'True', reason: 'Scheduled' }, transition: before },
    { name: 'moves the transition time when the reason changes, the status staying', previous: [ready('True', 'Scheduled')], update: { status: 'True', reason: 'Paused' }, transition: at('00:20') },
    { name: 'moves the transition time when the status changes', previous: [ready('True', 'Scheduled')], update: { status: 'False', reason: 'Scheduled' }, transition: at('00:20') },
    { name: 'sets the transition time when the kept condition has none', previous: [ready('True', 'Scheduled', {})], update: { status: 'True', reason: 'Scheduled' }, transition: at('00:20') },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const [condition] = setCondition(c.previous, { type: 'Ready', ...c.update, message: 'new', now });
      assert.equal(condition?.lastTransitionTime, c.transition);
    });
  }
  it('starts a list when there is none', () => {
    assert.deepEqual(setCondition(undefined, { type: 'Ready', status: 'True', reason: 'Scheduled', message: 'new', now }), [
      { type: 'Ready', status: 'True', reason: 'Scheduled', message: 'new', lastTransitionTime: at('00:20') },
    ]);
  });
  it('drops entries that are not conditions and keeps the others as they were', () => {
    const other = { type: 'BackupStuck', status: 'False', reason: 'NoneStuck', message: 'm', lastTransitionTime: before };
    const conditions = setCondition([null, 'Ready', 42, { type: 7 }, { status: 'True' }, other], { type: 'Ready', status: 'True', reason: 'Scheduled', message: 'new', now });
    assert.deepEqual(conditions, [other, { type: 'Ready', status: 'True', reason: 'Scheduled', message: 'new', lastTransitionTime: at('00:20') }]);
  });
});

describe('withFindings and conditionOf', () => {
  const now = Date.parse(at('00:20'));
  const stuck = { type: 'BackupStuck', active: { reason: 'BackupTimedOut', message: 'b1 is stuck' }, resolved: { reason: 'NoneStuck', message: 'none' } };

  it('writes a finding into a status without conditions, and an empty list when nothing holds', () => {
    assert.deepEqual(withFindings({}, now, [stuck]), { conditions: [{ type: 'BackupStuck', status: 'True', reason: 'BackupTimedOut', message: 'b1 is stuck', lastTransitionTime: '2024-05-01T00:20:00Z' }] });
    assert.deepEqual(withFindings({ lastBackup: 'x' }, now, [{ ...stuck, active: null }]), { lastBackup: 'x', conditions: [] });
  });

  it('finds a condition by type past entries that are not conditions', () => {
    const ready = { type: 'Ready', status: 'True', reason: 'Scheduled', message: 'm', lastTransitionTime: at('00:00') };
    const other = { type: 'BackupStuck', status: 'False', reason: 'NoneStuck', message: 'm', lastTransitionTime: at('00:00') };
    const status = { conditions: [null, ready, other] } as unknown as BackupScheduleStatus;
    assert.deepEqual(conditionOf(status, 'BackupStuck'), other);
    assert.deepEqual(conditionOf(status, 'Ready'), ready);
    assert.equal(conditionOf(status, 'DeletionStuck'), undefined);
    assert.equal(conditionOf({}, 'Ready'), undefined);
  });
});
