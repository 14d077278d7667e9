/**
 * Edge cases the fuzz tests found in the decision, pinned as fixed examples: each one broke an invariant
 * of test/support/invariants.ts before its fix.
 */

import assert from 'node:assert/strict';

import { decide } from '../../src/core/sync.js';
import type { KubeObject, SyncRequest } from '../../src/core/types.js';
import { assertKeepsObservedChildren, assertWellFormedAnswer } from '../support/invariants.js';
import { BR_TEMPLATE, backup, request, schedule } from '../support/objects.js';

interface EdgeCase {
  name: string;
  now: string;
  request: SyncRequest;
  /** Checks beyond the invariants. */
  check: (decision: ReturnType<typeof decide>) => void;
}

const cases: EdgeCase[] = [
  {
    name: 'a next tick after year 9999 is not written (it has no RFC 3339 form)',
    now: '9999-12-31T23:30:00Z',
    request: request(
      schedule({
        spec: { schedule: '@every 1h', backupTemplate: BR_TEMPLATE },
        status: { lastBackup: 'nightly-9999-12-31t23-00-00', lastBackupTime: '9999-12-31T23:00:00Z' },
      }),
      [backup({ slot: '9999-12-31T23:00:00Z', commitTs: null })],
    ),
    check: ({ response, report }) => {
      assert.equal(response.status.nextBackupTime, undefined);
      assert.equal(report.message, 'the schedule has no future tick');
    },
  },
  {
    name: 'a Backup it cannot read, named like the due slot, is kept and never asked for again (it would be overwritten)',
    now: '2024-05-01T00:25:00Z',
    request: request(schedule({ spec: { schedule: '*/10 * * * *', backupTemplate: BR_TEMPLATE } }), [
      unreadable(backup({ slot: '2024-05-01T00:20:00Z' })),
    ]),
    check: ({ response, report }) => {
      assert.equal(report.created, null);
      assert.deepEqual(response.children.map((c) => c.metadata.name), ['nightly-2024-05-01t00-20-00']);
      assert.equal(response.children[0]?.metadata.annotations?.['backup-schedule-hook/scheduled-at'], 'garbage');
      assert.equal(
        report.message,
        'a scheduled Backup is due: Backup nightly-2024-05-01t00-20-00 exists but is not one this schedule can read (check its label tidb.pingcap.com/backup-schedule, its controller ' +
          'owner, its backup-schedule-hook/scheduled-at annotation and status.commitTs); it is kept as it is: fix or delete it, or the next tick creates the next Backup',
      );
    },
  },
  {
    name: 'a child of another type named like a Backup that retention removes is kept (only the Backup goes)',
    now: '2024-05-01T03:25:00Z',
    request: {
      ...request(schedule({ spec: { schedule: '*/10 * * * *', maxReservedTime: '1h', backupTemplate: BR_TEMPLATE } })),
      children: {
        'Backup.pingcap.com/v1alpha1': {
          'db/nightly-2024-05-01t00-20-00': backup({ slot: '2024-05-01T00:20:00Z', state: 'failed' }),
          'db/nightly-2024-05-01t03-20-00': backup({ slot: '2024-05-01T03:20:00Z', state: 'complete' }),
        },
        'CompactBackup.pingcap.com/v1alpha1': {
          'db/nightly-2024-05-01t00-20-00': { metadata: { name: 'nightly-2024-05-01t00-20-00', namespace: 'db' }, spec: { startTs: '1' } },
        },
      },
    },
    check: ({ response, report }) => {
      assert.deepEqual(report.deletions.map((d) => d.name), ['nightly-2024-05-01t00-20-00']);
      assert.deepEqual(
        response.children.map((c) => `${c.kind}/${c.metadata.name}`),
        ['Backup/nightly-2024-05-01t03-20-00', 'CompactBackup/nightly-2024-05-01t00-20-00'],
      );
    },
  },
];

/** unreadable gives a Backup a scheduled-at annotation the hook cannot read, in what it observes and what was applied. */
function unreadable(object: KubeObject): KubeObject {
  const annotations = object.metadata?.annotations ?? {};
  annotations['backup-schedule-hook/scheduled-at'] = 'garbage';
  delete annotations['metacontroller.k8s.io/last-applied-configuration'];
  return object;
}

describe('decide: edge cases found by fuzzing', () => {
  for (const c of cases) {
    it(c.name, () => {
      const decision = decide(c.request, { now: Date.parse(c.now) });
      assertKeepsObservedChildren(c.request, decision);
      assertWellFormedAnswer(c.request, decision);
      c.check(decision);
    });
  }
});
