import assert from 'node:assert/strict';

import { backupAge, completionTime, conditionIsTrue, finishedAt, isLogBackup, snapshotState } from '../../src/core/backup-state.js';
import type { KubeObject } from '../../src/core/types.js';

const T = '2024-05-01T00:05:00Z';
const cond = (type: string, status: string, lastTransitionTime = T): { type: string; status: string; lastTransitionTime: string } => ({ type, status, lastTransitionTime });
const withStatus = (status: Record<string, unknown>): KubeObject => ({ apiVersion: 'pingcap.com/v1alpha1', kind: 'Backup', metadata: { name: 'b', creationTimestamp: '2024-05-01T00:00:02Z' }, status });

describe('snapshotState', () => {
  const cases: ReadonlyArray<{ name: string; conditions: unknown[]; state: string }> = [
    { name: 'conditions that are not True say nothing', conditions: [cond('Complete', 'False'), cond('Failed', 'Unknown'), cond('Invalid', 'False')], state: 'unfinished' },
    { name: 'Failed and Invalid both True: failed (upstream checks Failed first)', conditions: [cond('Invalid', 'True'), cond('Failed', 'True')], state: 'failed' },
    { name: 'Complete True wins over Failed True', conditions: [cond('Failed', 'True'), cond('Complete', 'True')], state: 'complete' },
  ];
  for (const c of cases) it(c.name, () => assert.equal(snapshotState(withStatus({ conditions: c.conditions })), c.state));
});

describe('conditionIsTrue', () => {
  const cases: ReadonlyArray<{ name: string; conditions: unknown; is: boolean }> = [
    { name: 'an entry of the type with status True', conditions: [cond('Complete', 'True')], is: true },
    { name: 'an entry of the type with status False', conditions: [cond('Complete', 'False')], is: false },
    { name: 'only another type True', conditions: [cond('Failed', 'True')], is: false },
  ];
  for (const c of cases) it(c.name, () => assert.equal(conditionIsTrue(withStatus({ conditions: c.conditions }), 'Complete'), c.is));
});

describe('backupAge', () => {
  it('an empty status.commitTs falls back to the creationTimestamp', () => assert.deepEqual(backupAge(withStatus({ commitTs: '' })), { ok: true, at: Date.parse('2024-05-01T00:00:02Z') }));
});

describe('completionTime', () => {
  const cases: ReadonlyArray<{ name: string; status: Record<string, unknown>; at: string | null }> = [
    { name: 'status.timeCompleted when it is a time', status: { timeCompleted: '2024-05-01T00:04:00Z', conditions: [cond('Complete', 'True')] }, at: '2024-05-01T00:04:00Z' },
    { name: 'an unreadable timeCompleted falls back to the Complete condition', status: { timeCompleted: 'soon', conditions: [cond('Complete', 'True')] }, at: T },
    { name: 'a Complete condition that is not True gives no time', status: { conditions: [cond('Complete', 'False')] }, at: null },
    { name: 'an unreadable lastTransitionTime gives no time', status: { conditions: [cond('Complete', 'True', 'yesterday')] }, at: null },
  ];
  for (const c of cases) it(c.name, () => assert.equal(completionTime(withStatus(c.status)), c.at));
});

describe('finishedAt', () => {
  const at = (time: string): number => Date.parse(time);
  const cases: ReadonlyArray<{ name: string; status: Record<string, unknown>; at: number | null }> = [
    { name: 'Complete with status.timeCompleted: that time', status: { timeCompleted: '2024-05-01T00:09:00Z', conditions: [cond('Complete', 'True')] }, at: at('2024-05-01T00:09:00Z') },
    { name: 'Complete without timeCompleted: the condition time', status: { conditions: [cond('Complete', 'True')] }, at: at(T) },
    { name: 'Failed: the condition time', status: { conditions: [cond('Running', 'True', '2024-05-01T00:01:00Z'), cond('Failed', 'True')] }, at: at(T) },
    { name: 'Invalid: the condition time', status: { conditions: [cond('Invalid', 'True')] }, at: at(T) },
    { name: 'Failed, then Invalid later: the later', status: { conditions: [cond('Failed', 'True'), cond('Invalid', 'True', '2024-05-01T00:07:00Z')] }, at: at('2024-05-01T00:07:00Z') },
    { name: 'running: null', status: { conditions: [cond('Running', 'True')] }, at: null },
    { name: 'Failed not True: null', status: { conditions: [cond('Failed', 'False')] }, at: null },
    { name: 'Failed with an unreadable time: null', status: { conditions: [cond('Failed', 'True', 'soon')] }, at: null },
    { name: 'no conditions: null', status: {}, at: null },
    { name: 'a finish before 1970 is still a time', status: { conditions: [cond('Failed', 'True', '1969-12-31T23:00:00Z')] }, at: at('1969-12-31T23:00:00Z') },
  ];
  for (const c of cases) it(c.name, () => assert.equal(finishedAt(withStatus(c.status)), c.at));
});

describe('reading a Backup with a missing or malformed status', () => {
  const bare: KubeObject = { apiVersion: 'pingcap.com/v1alpha1', kind: 'Backup' };
  const malformed = withStatus({ conditions: { Complete: 'True' }, timeCompleted: 5 });
  it('a Backup without status is unfinished, with no condition, completion or finish', () => {
    assert.deepEqual([snapshotState(bare), conditionIsTrue(bare, 'Complete'), completionTime(bare), finishedAt(bare)], ['unfinished', false, null, null]);
  });
  it('conditions that are not a list say nothing', () => {
    assert.deepEqual([snapshotState(malformed), conditionIsTrue(malformed, 'Complete'), completionTime(malformed), finishedAt(malformed)], ['unfinished', false, null, null]);
  });
  it('entries that are not conditions are skipped, the others read', () => {
    const mixed = withStatus({ conditions: [null, 'Complete', { status: 'True' }, cond('Invalid', 'True')] });
    assert.deepEqual([snapshotState(mixed), conditionIsTrue(mixed, 'Invalid'), finishedAt(mixed)], ['invalid', true, Date.parse(T)]);
    const complete = withStatus({ conditions: [null, cond('Complete', 'True')] });
    assert.deepEqual([snapshotState(complete), conditionIsTrue(complete, 'Complete'), completionTime(complete)], ['complete', true, T]);
  });
  it('an Invalid condition alone makes it invalid', () => assert.equal(snapshotState(withStatus({ conditions: [cond('Invalid', 'True')] })), 'invalid'));
});

describe('finishedAt, of several finishing conditions', () => {
  const cases: ReadonlyArray<{ name: string; conditions: unknown[]; at: string }> = [
    { name: 'the latest, listed first', conditions: [cond('Invalid', 'True', '2024-05-01T00:07:00Z'), cond('Failed', 'True')], at: '2024-05-01T00:07:00Z' },
    { name: 'a readable one before an unreadable one', conditions: [cond('Failed', 'True'), cond('Invalid', 'True', 'soon')], at: T },
    { name: 'a second Complete entry when the first has no readable time', conditions: [cond('Complete', 'True', 'soon'), cond('Complete', 'True')], at: T },
  ];
  for (const c of cases) it(c.name, () => assert.equal(finishedAt(withStatus({ conditions: c.conditions })), Date.parse(c.at)));
});

describe('isLogBackup', () => {
  const cases: ReadonlyArray<{ spec: unknown; log: boolean }> = [
    { spec: { backupMode: 'log' }, log: true },
    { spec: { backupMode: 'snapshot' }, log: false },
    { spec: {}, log: false },
    { spec: undefined, log: false },
  ];
  for (const c of cases) {
    it(`spec ${JSON.stringify(c.spec) ?? 'absent'}: ${c.log ? 'a log backup' : 'not a log backup'}`, () => {
      const object: KubeObject = { apiVersion: 'pingcap.com/v1alpha1', kind: 'Backup', ...(c.spec === undefined ? {} : { spec: c.spec as Record<string, unknown> }) };
      assert.equal(isLogBackup(object), c.log);
    });
  }
});

describe('backupAge, each source and each reason', () => {
  const created = Date.parse('2024-05-01T00:00:02Z');
  const tso = ((BigInt(Date.parse('2024-05-01T00:03:00Z')) << 18n) + 7n).toString();
  const cases: ReadonlyArray<{ name: string; object: KubeObject; age: unknown }> = [
    { name: 'status.commitTs, a TSO: its physical time', object: withStatus({ commitTs: tso }), age: { ok: true, at: Date.parse('2024-05-01T00:03:00Z') } },
    { name: 'a null commitTs: the creation', object: withStatus({ commitTs: null }), age: { ok: true, at: created } },
    { name: 'no commitTs: the creation', object: withStatus({}), age: { ok: true, at: created } },
    { name: 'a commitTs that is not a TSO', object: withStatus({ commitTs: 'abc' }), age: { ok: false, reason: 'status.commitTs "abc" is not a TSO' } },
    { name: 'a commitTs that is a number, not a string', object: withStatus({ commitTs: 123 }), age: { ok: false, reason: 'status.commitTs 123 is not a TSO' } },
    { name: 'neither', object: { apiVersion: 'pingcap.com/v1alpha1', kind: 'Backup' }, age: { ok: false, reason: 'it has neither status.commitTs nor a valid metadata.creationTimestamp' } },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(backupAge(c.object), c.age));
});
