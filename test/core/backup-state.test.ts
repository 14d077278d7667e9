import assert from 'node:assert/strict';

import { backupAge, completionTime, conditionIsTrue, finishedAt, snapshotState } from '../../src/core/backup-state.js';
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
  ];
  for (const c of cases) it(c.name, () => assert.equal(finishedAt(withStatus(c.status)), c.at));
});
