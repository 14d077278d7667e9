import assert from 'node:assert/strict';

import { backupName, slotFromBackupName } from '../../src/core/names.js';
import { decide } from '../../src/core/sync.js';
import type { KubeObject } from '../../src/core/types.js';
import { request, schedule } from '../support/objects.js';

const SLOT = Date.parse('2024-05-01T00:20:00Z');

describe('slotFromBackupName', () => {
  const cases: ReadonlyArray<{ name: string; schedule: string; backup: string; slot: number | null }> = [
    { name: 'reads the slot back from the name the hook gave it', schedule: 'nightly', backup: backupName('nightly', SLOT), slot: SLOT },
    { name: 'a schedule whose name ends in a dash', schedule: 'a-', backup: 'a--2024-05-01t00-20-00', slot: SLOT },
    { name: "another schedule's name of the same length is not read as this schedule's slot", schedule: 'nightly', backup: 'weekend-2024-05-01t00-20-00', slot: null },
    { name: 'a name that only contains the schedule name later is not read', schedule: 'nightly', backup: 'x-nightly-2024-05-01t00-20-00', slot: null },
    { name: 'the schedule name without its dash is not read', schedule: 'nightly', backup: 'nightly2024-05-01t00-20-00', slot: null },
    { name: 'a manual name is not read', schedule: 'nightly', backup: 'nightly-manual-abc', slot: null },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.equal(slotFromBackupName(c.schedule, c.backup), c.slot);
    });
  }
});

describe('the labels of a Backup the hook creates', () => {
  // The four upstream labels win over the schedule's own; Metacontroller sets controller-uid itself (and refuses an
  // answer whose child carries another), and the handover label never passes to a Backup.
  const cases: ReadonlyArray<{ name: string; labels?: Record<string, string>; expected: Record<string, string> }> = [
    {
      name: "upstream's four, naming the schedule",
      expected: {
        'app.kubernetes.io/name': 'backup-schedule',
        'app.kubernetes.io/managed-by': 'backup-schedule-operator',
        'app.kubernetes.io/instance': 'nightly',
        'tidb.pingcap.com/backup-schedule': 'nightly',
      },
    },
    {
      name: "the schedule's own too, but never controller-uid, the handover label, or its own values of upstream's four",
      labels: { team: 'a', 'controller-uid': 'uid-of-its-owner', 'backup-schedule-hook/controller': 'hook', 'app.kubernetes.io/name': 'mine', 'tidb.pingcap.com/backup-schedule': 'other' },
      expected: {
        team: 'a',
        'app.kubernetes.io/name': 'backup-schedule',
        'app.kubernetes.io/managed-by': 'backup-schedule-operator',
        'app.kubernetes.io/instance': 'nightly',
        'tidb.pingcap.com/backup-schedule': 'nightly',
      },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const parent = schedule(c.labels === undefined ? {} : { labels: c.labels });
      const { response, report } = decide(request(parent), { now: Date.parse('2024-05-01T00:10:30Z') });
      assert.equal(report.created, backupName('nightly', Date.parse('2024-05-01T00:10:00Z')));
      const created = response.children.find((child) => child.metadata.name === report.created);
      assert.deepEqual(created?.metadata.labels, c.expected);
    });
  }
});

describe('a Backup the hook creates, once in the view, is the schedule\'s own', () => {
  it('holds the next tick while it runs, as the last Backup, and is never created twice', () => {
    const parent = schedule();
    const first = decide(request(parent), { now: Date.parse('2024-05-01T00:10:30Z') });
    const created = first.response.children.find((child) => child.metadata.name === first.report.created);
    assert.ok(created !== undefined);
    // As the API server returns it a moment later: with metadata the server sets, no status yet (not started).
    const seen = { ...(created as KubeObject), metadata: { ...created.metadata, namespace: 'db', uid: 'uid-created', creationTimestamp: '2024-05-01T00:10:31Z', labels: { ...created.metadata.labels, 'controller-uid': 'uid-nightly' }, ownerReferences: [{ apiVersion: 'pingcap.com/v1alpha1', kind: 'BackupSchedule', name: 'nightly', uid: 'uid-nightly', controller: true }] } };
    const second = decide(request({ ...parent, status: first.response.status }, [seen]), { now: Date.parse('2024-05-01T00:20:30Z') });
    assert.equal(second.report.created, null);
    assert.equal(second.response.status.lastBackup, created.metadata.name);
    assert.ok(second.response.children.some((child) => child.metadata.name === created.metadata.name));
    assert.equal(second.report.facts.backups.unfinished, 1);
  });
});
