import assert from 'node:assert/strict';

import { backupAge, completionTime, conditionIsTrue, snapshotState } from '../../src/core/backup-state.js';
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
