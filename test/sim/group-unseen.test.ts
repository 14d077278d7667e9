/** Invariant 10 for Backups of a group started by syncs that could not see each other's: when the design makes one of the two wait, and when not. */

import assert from 'node:assert/strict';

import { GROUP_LABEL, SCHEDULE_RELATED_TYPE } from '../../src/core/group.js';
import { BACKUP_CHILD_TYPE, SCHEDULE_LABEL, backupName, backupNowName } from '../../src/core/names.js';
import type { BackupSchedule, KubeObject } from '../../src/core/types.js';
import { unseenStartExcuse } from '../../src/sim/invariants/group-unseen.js';
import type { Creation } from '../../src/sim/invariants/group-unseen.js';

const MINUTE = 60_000;
const GRACE = 5 * MINUTE;
const MIDNIGHT = Date.parse('2024-05-02T00:00:00Z');
const labels = { [GROUP_LABEL]: 'g' };

function schedule(name: string, status: Record<string, unknown>, spec: Record<string, unknown> = {}): BackupSchedule {
  return { apiVersion: 'pingcap.com/v1alpha1', kind: 'BackupSchedule', metadata: { name, namespace: 'db', labels }, spec: { schedule: '0 0 * * *', backupTemplate: { backupType: 'full', br: { cluster: 'basic' }, s3: { bucket: 'b', prefix: 'p' } }, ...spec }, status };
}

function backup(name: string, owner: string, finished?: string): KubeObject {
  const status = finished === undefined ? {} : { conditions: [{ type: 'Complete', status: 'True', lastTransitionTime: finished }] };
  return { apiVersion: 'pingcap.com/v1alpha1', kind: 'Backup', metadata: { name, namespace: 'db', labels: { ...labels, [SCHEDULE_LABEL]: owner } }, spec: {}, status };
}

function byKey(objects: KubeObject[]): Record<string, KubeObject> {
  return Object.fromEntries(objects.map((o) => [`db/${o.metadata?.name ?? ''}`, o]));
}

const A_STATUS = { lastBackup: 'a-2024-05-01t00-00-00', lastBackupTime: '2024-05-01T00:00:00Z' };
const A_BACKUPS = [backup('a-2024-05-01t00-00-00', 'a', '2024-05-01T00:30:00Z')];

/** a's midnight Backup, started by a sync at 00:10 whose request showed a as `A_STATUS` with `A_BACKUPS`. */
const A: Creation = {
  backup: backupName('a', MIDNIGHT),
  schedule: 'a',
  request: { parent: schedule('a', A_STATUS), children: { [BACKUP_CHILD_TYPE]: byKey(A_BACKUPS) }, related: {} },
  calledAt: MIDNIGHT + 10 * MINUTE,
  hookNow: MIDNIGHT + 10 * MINUTE,
  seesGroup: true,
};

/** b's Backup started by a sync at once with a's; what its request showed of a and of itself varies. */
function b(options: { hookNow?: number; a?: BackupSchedule | null; aBackups?: KubeObject[]; others?: KubeObject[]; status?: Record<string, unknown>; seesGroup?: boolean }): Creation {
  const hookNow = options.hookNow ?? MIDNIGHT + 10 * MINUTE;
  const a = options.a === undefined ? schedule('a', A_STATUS) : options.a;
  const schedules = [...(a === null ? [] : [a]), schedule('b', options.status ?? {})];
  return {
    backup: backupName('b', MIDNIGHT),
    schedule: 'b',
    request: {
      parent: schedule('b', options.status ?? {}),
      children: { [BACKUP_CHILD_TYPE]: {} },
      related: { [SCHEDULE_RELATED_TYPE]: byKey(schedules), [BACKUP_CHILD_TYPE]: byKey([...(options.aBackups ?? A_BACKUPS), ...(options.others ?? [])]) },
    },
    calledAt: hookNow,
    hookNow,
    seesGroup: options.seesGroup ?? true,
  };
}

const turn = (schedule: string, seenAt: string): Record<string, unknown> => ({ groupTurn: { schedule, slot: '2024-05-02T00:00:00Z', seenAt } });

describe("invariant 10: Backups of a group started by syncs that could not see each other's", () => {
  const cases: Array<{ name: string; first?: Creation; later: Creation; excused: RegExp | null }> = [
    { name: 'a due, b saw a as a saw itself, no turn given: b should have waited', later: b({}), excused: null },
    { name: "b's extra turn for a began less than a grace ago: b should have waited", later: b({ status: turn('a', '2024-05-02T00:06:00Z') }), excused: null },
    {
      name: "b gave a its turns, but a Backup of the group finished at 00:08 (a's turn from then): b should have waited",
      later: b({ status: turn('a', '2024-05-02T00:04:00Z'), others: [backup('c-2024-05-01t23-00-00', 'c', '2024-05-02T00:08:00Z')] }),
      excused: null,
    },
    { name: "a's slot not due by the hook's clock when b was answered", later: b({ hookNow: MIDNIGHT - 1 }), excused: /no due slot/ },
    { name: "b's request showed a paused", later: b({ a: schedule('a', A_STATUS, { pause: true }) }), excused: /no due slot/ },
    {
      name: "b's request showed a's status naming its midnight Backup (with the Backup hidden, a plans the next midnight)",
      later: b({ a: schedule('a', { lastBackup: 'a-2024-05-02t00-00-00', lastBackupTime: '2024-05-02T00:00:00Z' }) }),
      excused: /no due slot/,
    },
    {
      name: "a's slot was missed by b's clock (startingDeadlineSeconds: 9 minutes)",
      first: { ...A, request: { ...A.request, parent: schedule('a', A_STATUS, { startingDeadlineSeconds: 540 }) } },
      later: b({ a: schedule('a', A_STATUS, { startingDeadlineSeconds: 540 }) }),
      excused: /no due slot/,
    },
    {
      name: "a's slot within its deadline (11 minutes) by b's clock: b should have waited",
      first: { ...A, request: { ...A.request, parent: schedule('a', A_STATUS, { startingDeadlineSeconds: 660 }) } },
      later: b({ a: schedule('a', A_STATUS, { startingDeadlineSeconds: 660 }) }),
      excused: null,
    },
    { name: "b's request did not show b in its group", later: b({ seesGroup: false }), excused: /GroupNotVisible/ },
    { name: "b's request did not show a", later: b({ a: null }), excused: /did not show a/ },
    {
      name: "b's request showed an older status of a, still due at midnight: b should have waited",
      later: b({ a: schedule('a', { lastBackup: 'a-2024-04-30t00-00-00', lastBackupTime: '2024-04-30T00:00:00Z' }) }),
      excused: null,
    },
    { name: "b's request showed none of a's Backups, a still due at midnight: b should have waited", later: b({ aBackups: [] }), excused: null },
    { name: 'a had its turn (to 00:05) and its extra turn (00:05 to 00:10)', later: b({ status: turn('a', '2024-05-02T00:05:00Z') }), excused: /extra turn/ },
    {
      name: "b's status recorded a's extra turn at 00:01, before a Backup of the group finished at 00:02 (a's turn to 00:07): a stale record, b should have waited",
      later: b({ status: turn('a', '2024-05-02T00:01:00Z'), others: [backup('c-2024-05-01t23-00-00', 'c', '2024-05-02T00:02:00Z')] }),
      excused: null,
    },
    {
      name: "a had both turns; a finish more than a grace ahead of b's clock is not believed",
      later: b({ status: turn('a', '2024-05-02T00:05:00Z'), others: [backup('c-2024-05-01t23-00-00', 'c', '2024-05-02T00:20:00Z')] }),
      excused: /extra turn/,
    },
    { name: "b's extra turns moved on past a, to c", later: b({ status: turn('c', '2024-05-02T00:05:00Z') }), excused: /moved on to c/ },
    { name: "an extra turn of 0-first, whose name sorts before a's (a's own turn is to come): b should have waited", later: b({ status: turn('0-first', '2024-05-02T00:04:00Z') }), excused: null },
    { name: "a's Backup is a backup-now Backup, not a slot", first: { ...A, backup: backupNowName('a', 't1') }, later: b({}), excused: /not a slot/ },
  ];
  for (const { name, first, later, excused } of cases) {
    it(name, () => {
      for (const [x, y] of [[first ?? A, later], [later, first ?? A]] as const) {
        const excuse = unseenStartExcuse(x, y, { graceMs: GRACE });
        if (excused === null) assert.equal(excuse, null);
        else assert.match(excuse ?? 'no excuse', excused);
      }
    });
  }
});
