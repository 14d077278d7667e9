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
/** b's own last Backup before its midnight slot: b plans the midnight slot, as a does. */
const B_STATUS = { lastBackup: 'b-2024-05-01t00-00-00', lastBackupTime: '2024-05-01T00:00:00Z' };
const B_BACKUPS = [backup('b-2024-05-01t00-00-00', 'b', '2024-05-01T00:30:00Z')];

/** a's midnight Backup, started by a sync at 00:10 whose request showed a as `A_STATUS` with `A_BACKUPS`. */
const A: Creation = {
  backup: backupName('a', MIDNIGHT),
  schedule: 'a',
  request: { parent: schedule('a', A_STATUS), children: { [BACKUP_CHILD_TYPE]: byKey(A_BACKUPS) }, related: {} },
  calledAt: MIDNIGHT + 10 * MINUTE,
  hookNow: MIDNIGHT + 10 * MINUTE,
  seesGroup: true,
};

/** b's midnight Backup started by a sync at once with a's; what its request showed of a and of itself (`status`, added to `B_STATUS`) varies. */
function b(options: { hookNow?: number; a?: BackupSchedule | null; aBackups?: KubeObject[]; others?: KubeObject[]; status?: Record<string, unknown>; seesGroup?: boolean }): Creation {
  const hookNow = options.hookNow ?? MIDNIGHT + 10 * MINUTE;
  const a = options.a === undefined ? schedule('a', A_STATUS) : options.a;
  const status = { ...B_STATUS, ...options.status };
  const schedules = [...(a === null ? [] : [a]), schedule('b', status)];
  return {
    backup: backupName('b', MIDNIGHT),
    schedule: 'b',
    request: {
      parent: schedule('b', status),
      children: { [BACKUP_CHILD_TYPE]: byKey(B_BACKUPS) },
      related: { [SCHEDULE_RELATED_TYPE]: byKey(schedules), [BACKUP_CHILD_TYPE]: byKey([...(options.aBackups ?? A_BACKUPS), ...(options.others ?? [])]) },
    },
    calledAt: hookNow,
    hookNow,
    seesGroup: options.seesGroup ?? true,
  };
}

const turn = (schedule: string, seenAt: string, slot = '2024-05-02T00:00:00Z'): Record<string, unknown> => ({ groupTurn: { schedule, slot, seenAt } });

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
    // Extra turns go by due slot, then by name.
    {
      name: "b's extra turns moved on past a to 0-first, whose name sorts first but whose slot (00:03) is later",
      later: b({ hookNow: MIDNIGHT + 11 * MINUTE, status: turn('0-first', '2024-05-02T00:05:00Z', '2024-05-02T00:03:00Z') }),
      excused: /moved on to 0-first/,
    },
    {
      name: "an extra turn of c, whose name sorts after a's but whose slot (23:58) is earlier (a's own turn is to come): b should have waited",
      later: b({ status: turn('c', '2024-05-02T00:05:00Z', '2024-05-01T23:58:00Z') }),
      excused: null,
    },
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

describe('invariant 10: the order of turns, by due slot, then by name', () => {
  /** A member daily at 00:`minute`, its last Backup (complete) the day before's. */
  const member = (name: string, minute: number, status: Record<string, unknown> = {}): { schedule: BackupSchedule; last: KubeObject } => {
    const slot = `2024-05-01T00:${String(minute).padStart(2, '0')}:00Z`;
    const last = backupName(name, Date.parse(slot));
    return {
      schedule: schedule(name, { lastBackup: last, lastBackupTime: slot, ...status }, { schedule: `${minute} 0 * * *` }),
      last: backup(last, name, `2024-05-01T00:${String(minute + 20).padStart(2, '0')}:00Z`),
    };
  };
  type Member = ReturnType<typeof member>;
  /** The sync of `self` at `hookNow` that created `created`, its request showing `other` and `other`'s last Backup, not its new one. */
  const creation = (self: Member, other: Member, options: { created: string; hookNow: number }): Creation => ({
    backup: options.created,
    schedule: self.schedule.metadata.name ?? '',
    request: {
      parent: self.schedule,
      children: { [BACKUP_CHILD_TYPE]: byKey([self.last]) },
      related: { [SCHEDULE_RELATED_TYPE]: byKey([self.schedule, other.schedule]), [BACKUP_CHILD_TYPE]: byKey([self.last, other.last]) },
    },
    calledAt: options.hookNow,
    hookNow: options.hookNow,
    seesGroup: true,
  });
  const at = (minutes: number): number => MIDNIGHT + minutes * MINUTE;
  // b is due at 00:00; a, whose name sorts first, at 00:01 (or as a case says).
  const a = member('a', 1);
  const bMember = member('b', 0);
  const cases: Array<{ name: string; a: Creation; b: Creation; excused: RegExp | null }> = [
    {
      name: "b started at its slot (00:00, a not yet due); a's sync at 00:01:30 showed b due at 00:00, before a's own slot: a should have waited",
      b: creation(bMember, a, { created: backupName('b', at(0)), hookNow: at(0) + 10_000 }),
      a: creation(a, bMember, { created: backupName('a', at(1)), hookNow: at(1) + 30_000 }),
      excused: null,
    },
    {
      name: "... a's request showed b's status naming its 00:00 Backup (b not due): excused",
      b: creation(bMember, a, { created: backupName('b', at(0)), hookNow: at(0) + 10_000 }),
      a: creation(a, member('b', 0, { lastBackup: backupName('b', at(0)), lastBackupTime: '2024-05-02T00:00:00Z' }), { created: backupName('a', at(1)), hookNow: at(1) + 30_000 }),
      excused: /a's request showed no due slot of b.*b's request showed no due slot of a|b's request showed no due slot of a.*a's request showed no due slot of b/,
    },
    {
      // a's status records b's extra turn for 00:00 (seen at 00:05, when b's turn ended): at 00:11 a starts; b, its sync
      // held until 00:11:30, sees a due at 00:01, after its own slot.
      name: "b synced late (00:11:30) and saw a due at 00:01: a's slot is after b's (00:00), so b need not wait for a, although a sorts first",
      b: creation(bMember, a, { created: backupName('b', at(0)), hookNow: at(11) + 30_000 }),
      a: creation(member('a', 1, turn('b', '2024-05-02T00:05:00Z')), bMember, { created: backupName('a', at(1)), hookNow: at(11) }),
      excused: /a's turn \(due 2024-05-02T00:01:00Z\) comes after b's \(due 2024-05-02T00:00:00Z\)/,
    },
    {
      name: "... a without that record at 00:11: b's extra turn not given, a should have waited",
      b: creation(bMember, a, { created: backupName('b', at(0)), hookNow: at(11) + 30_000 }),
      a: creation(a, bMember, { created: backupName('a', at(1)), hookNow: at(11) }),
      excused: null,
    },
    {
      name: 'equal slots (00:00), each request showing the other due: by name, b should have waited',
      b: creation(bMember, member('a', 0), { created: backupName('b', at(0)), hookNow: at(0) + 20_000 }),
      a: creation(member('a', 0), bMember, { created: backupName('a', at(0)), hookNow: at(0) + 10_000 }),
      excused: null,
    },
    {
      name: "b's backup-now Backup (no slot of its own: its status names its 00:00 Backup), a due at 00:01: by name, b should have waited",
      b: creation(member('b', 0, { lastBackup: backupName('b', at(0)), lastBackupTime: '2024-05-02T00:00:00Z' }), a, { created: backupNowName('b', 'x1'), hookNow: at(1) + 30_000 }),
      a: creation(a, bMember, { created: backupName('a', at(1)), hookNow: at(1) + 30_000 }),
      excused: null,
    },
    {
      name: "a's backup-now Backup (no slot of its own), b due at 00:00, earlier than any of a's: by name, a need not wait",
      b: creation(bMember, a, { created: backupName('b', at(0)), hookNow: at(1) + 30_000 }),
      a: creation(member('a', 1, { lastBackup: backupName('a', at(1)), lastBackupTime: '2024-05-02T00:01:00Z' }), bMember, { created: backupNowName('a', 'x1'), hookNow: at(1) + 30_000 }),
      excused: /a had no slot of its own to plan, and b sorts after it/,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      for (const [x, y] of [[c.a, c.b], [c.b, c.a]] as const) {
        const excuse = unseenStartExcuse(x, y, { graceMs: GRACE });
        if (c.excused === null) assert.equal(excuse, null);
        else assert.match(excuse ?? 'no excuse', c.excused);
      }
    });
  }
});
