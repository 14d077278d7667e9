/** Schedule groups: the gate a running sibling holds, whatever order Metacontroller lists the related objects in. */

import assert from 'node:assert/strict';

import { decide } from '../../src/core/sync.js';
import type { JsonObject, KubeObject, SyncRequest } from '../../src/core/types.js';
import { GROUP_LABEL, customize, groupNotVisibleFinding } from '../../src/core/group.js';
import { BR_TEMPLATE, backup, logBackup, request, schedule } from '../support/objects.js';

const GROUP = { 'tidb.pingcap.com/backup-schedule-group': 'nightly-group' };
const spec = { schedule: '0 * * * *', backupTemplate: BR_TEMPLATE };
/** The siblings' schedule: half past, so that none is due at NOW (a due sibling sorting first goes first, see below). */
const siblingSpec = { ...spec, schedule: '30 * * * *' };
const NOW = Date.parse('2024-05-10T11:00:10Z');
/**
 * nightly's record that alpha, overdue for its 10:30 slot when its last Backup is 10:00, had its extra turn (10:40 to
 * 10:45): where alpha's own Backups are what a case is about, its overdue slot holds nightly no longer.
 */
const ALPHA_HAD_ITS_TURN = { groupTurn: { schedule: 'alpha', slot: '2024-05-10T10:30:00Z', seenAt: '2024-05-10T10:40:00Z', order: 'slot' } };

function sibling(name: string): ReturnType<typeof schedule> {
  return schedule({ name, spec: siblingSpec, labels: GROUP, status: { lastBackup: `${name}-2024-05-10t10-30-00`, lastBackupTime: '2024-05-10T10:30:00Z' } });
}

function runningBackupOf(name: string): ReturnType<typeof backup> {
  const b = backup({ schedule: name, slot: '2024-05-10T10:30:00Z', state: 'running' });
  b.metadata = { ...b.metadata, labels: { ...b.metadata?.labels, ...GROUP } };
  return b;
}

/** A due sync of `nightly` whose related objects list the two running siblings in `order`. */
function requestListing(order: readonly string[]): SyncRequest {
  const parent = schedule({ spec, labels: GROUP, status: { lastBackup: 'nightly-2024-05-10t10-00-00', lastBackupTime: '2024-05-10T10:00:00Z' } });
  return request(parent, [backup({ slot: '2024-05-10T10:00:00Z' })], {
    related: {
      'BackupSchedule.pingcap.com/v1alpha1': Object.fromEntries(order.map((n) => [`db/${n}`, sibling(n)])),
      'Backup.pingcap.com/v1alpha1': Object.fromEntries(order.map((n) => [`db/${n}-running`, runningBackupOf(n)])),
    },
  });
}

describe('schedule groups', () => {
  it('waits for a running sibling and names the same one whatever order the related maps list them in', () => {
    const answers = [['alpha', 'beta'], ['beta', 'alpha']].map((order) => decide(requestListing(order), { now: NOW }).response);
    for (const answer of answers) {
      assert.ok(!answer.children.some((c) => c.metadata.name === 'nightly-2024-05-10t11-00-00'), 'no Backup while a sibling runs');
    }
    const [first, second] = answers;
    assert.deepEqual(second, first);
    const ready = (first?.status.conditions ?? []).find((c) => c.type === 'Ready');
    assert.match(String(ready?.message), /Backup alpha-2024-05-10t10-30-00 of schedule alpha in group nightly-group is still running/);
  });

  it('counts only siblings and Backups in its own namespace (a group lives in one namespace)', () => {
    const elsewhere = (object: ReturnType<typeof schedule> | ReturnType<typeof backup>) => ({ ...object, metadata: { ...object.metadata, namespace: 'other' } });
    const parent = schedule({ spec, labels: GROUP, status: { lastBackup: 'nightly-2024-05-10t10-00-00', lastBackupTime: '2024-05-10T10:00:00Z' } });
    const related = (namespace: string) => {
      const [s, b] = namespace === 'db' ? [sibling('alpha'), runningBackupOf('alpha')] : [elsewhere(sibling('alpha')), elsewhere(runningBackupOf('alpha'))];
      return { 'BackupSchedule.pingcap.com/v1alpha1': { [`${namespace}/alpha`]: s }, 'Backup.pingcap.com/v1alpha1': { [`${namespace}/alpha-running`]: b } };
    };
    const created = (namespace: string): boolean =>
      decide(request(parent, [backup({ slot: '2024-05-10T10:00:00Z' })], { related: related(namespace) }), { now: NOW }).response.children.some(
        (c) => c.metadata.name === 'nightly-2024-05-10t11-00-00',
      );
    assert.deepEqual({ sameNamespace: created('db'), otherNamespace: created('other') }, { sameNamespace: false, otherNamespace: true });
  });

  it('does not let a running Backup of another namespace stand for the same-named, completed last Backup of a sibling', () => {
    const parent = schedule({ spec, labels: GROUP, status: { lastBackup: 'nightly-2024-05-10t10-00-00', lastBackupTime: '2024-05-10T10:00:00Z' } });
    // A schedule `alpha` in this namespace whose last Backup completed, and a running Backup of the same name in another.
    const alpha = sibling('alpha');
    const done = backup({ schedule: 'alpha', slot: '2024-05-10T10:30:00Z' });
    done.metadata = { ...done.metadata, labels: { ...done.metadata?.labels, ...GROUP } };
    const running = runningBackupOf('alpha');
    running.metadata = { ...running.metadata, namespace: 'other' };
    const answer = decide(
      request(parent, [backup({ slot: '2024-05-10T10:00:00Z' })], {
        related: {
          'BackupSchedule.pingcap.com/v1alpha1': { 'db/alpha': alpha },
          'Backup.pingcap.com/v1alpha1': { 'db/alpha-2024-05-10t10-30-00': done, 'other/alpha-2024-05-10t10-30-00': running },
        },
      }),
      { now: NOW },
    ).response;
    assert.ok(answer.children.some((c) => c.metadata.name === 'nightly-2024-05-10t11-00-00'), 'the running Backup of the other namespace does not block');
  });

  describe("a sibling's last Backup its status names but the view lacks (the status reached the cache first)", () => {
    const GRACE_ENDS = /is not in the view yet; it counts as running until (\S+) \(stale-view grace\)/;
    const parent = schedule({ spec, labels: GROUP, status: { lastBackup: 'nightly-2024-05-10t10-00-00', lastBackupTime: '2024-05-10T10:00:00Z', ...ALPHA_HAD_ITS_TURN } });
    /** alpha, whose status names a Backup of the 11:00 slot (asked for at `asked`, if recorded) that the related Backups lack. */
    const alpha = (extra: Record<string, unknown>) =>
      schedule({ name: 'alpha', spec: siblingSpec, labels: GROUP, status: { lastBackup: 'alpha-2024-05-10t11-00-00', lastBackupTime: '2024-05-10T11:00:00Z', ...extra } });
    const asked = (time: string) => ({ lastBackupCreation: { name: 'alpha-2024-05-10t11-00-00', time } });
    const backupNow = (reason: string, at: string) => ({
      lastBackup: '', lastBackupTime: '2024-05-10T10:00:00Z',
      lastBackupNow: { name: 'alpha-manual-x1', token: 'x1' },
      conditions: [{ type: 'BackupNow', status: reason === 'Running' ? 'True' : 'False', reason, message: '', lastTransitionTime: at }],
    });
    const cases: Array<{ name: string; status: Record<string, unknown>; until: string | null }> = [
      { name: 'asked for 2 minutes ago: counts as running for the grace', status: asked('2024-05-10T10:58:00Z'), until: '2024-05-10T11:03:00Z' },
      { name: 'asked for 6 minutes ago: gone (upstream NotFound)', status: asked('2024-05-10T10:54:00Z'), until: null },
      { name: 'asked for exactly a grace ago: gone', status: asked('2024-05-10T10:55:10Z'), until: null },
      { name: 'not recorded (a status from TiDB Operator): its lastBackupTime counts', status: { lastBackupTime: '2024-05-10T10:58:00Z' }, until: '2024-05-10T11:03:00Z' },
      { name: 'not recorded, lastBackupTime an hour ago: gone', status: { lastBackupTime: '2024-05-10T10:00:00Z' }, until: null },
      { name: 'recorded by a clock 4 minutes ahead: a grace from then', status: asked('2024-05-10T11:04:00Z'), until: '2024-05-10T11:09:00Z' },
      { name: 'recorded more than a grace ahead (a clock far off): not held', status: asked('2024-05-10T11:06:00Z'), until: null },
      { name: 'its backup-now Backup, asked for 2 minutes ago', status: backupNow('Running', '2024-05-10T10:58:00Z'), until: '2024-05-10T11:03:00Z' },
      { name: 'its backup-now Backup, reported finished', status: backupNow('Completed', '2024-05-10T10:58:00Z'), until: null },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const related = { 'BackupSchedule.pingcap.com/v1alpha1': { 'db/alpha': alpha(c.status), 'db/nightly': parent }, 'Backup.pingcap.com/v1alpha1': {} };
        const answer = decide(request(parent, [backup({ slot: '2024-05-10T10:00:00Z' })], { related }), { now: NOW }).response;
        const created = answer.children.some((x) => x.metadata.name === 'nightly-2024-05-10t11-00-00');
        const ready = (answer.status.conditions ?? []).find((x) => x.type === 'Ready');
        const until = GRACE_ENDS.exec(String(ready?.message))?.[1] ?? null;
        assert.deepEqual({ created, until }, { created: c.until === null, until: c.until });
        if (c.until !== null) {
          assert.match(String(ready?.message), /Backup alpha-\S+ of schedule alpha in group nightly-group/);
          assert.ok(answer.resyncAfterSeconds !== undefined && NOW + answer.resyncAfterSeconds * 1000 <= Date.parse(c.until), `called back by ${c.until}`);
        }
      });
    }

    it('waits for the latest grace of several siblings, and for a sibling seen running over any grace', () => {
      const beta = schedule({ name: 'beta', spec: siblingSpec, labels: GROUP, status: { lastBackup: 'beta-2024-05-10t11-00-00', lastBackupTime: '2024-05-10T11:00:00Z', lastBackupCreation: { name: 'beta-2024-05-10t11-00-00', time: '2024-05-10T10:59:00Z' } } });
      const siblings = { 'db/alpha': alpha(asked('2024-05-10T10:58:00Z')), 'db/beta': beta, 'db/nightly': parent };
      const decideWith = (backups: Record<string, unknown>) => {
        const related = { 'BackupSchedule.pingcap.com/v1alpha1': siblings, 'Backup.pingcap.com/v1alpha1': backups } as NonNullable<SyncRequest['related']>;
        const answer = decide(request(parent, [backup({ slot: '2024-05-10T10:00:00Z' })], { related }), { now: NOW }).response;
        return String((answer.status.conditions ?? []).find((x) => x.type === 'Ready')?.message);
      };
      assert.match(decideWith({}), /Backup beta-2024-05-10t11-00-00 .* until 2024-05-10T11:04:00Z/);
      const betaRunning = backup({ schedule: 'beta', slot: '2024-05-10T11:00:00Z', state: 'running' });
      betaRunning.metadata = { ...betaRunning.metadata, labels: { ...betaRunning.metadata?.labels, ...GROUP } };
      assert.match(decideWith({ 'db/beta-2024-05-10t11-00-00': betaRunning }), /Backup beta-2024-05-10t11-00-00 of schedule beta in group nightly-group is still running/);
    });
  });

  describe("a sibling's newer Backup in the view, before its status names it (the Backup reached the cache first)", () => {
    const parent = schedule({ spec, labels: GROUP, status: { lastBackup: 'nightly-2024-05-10t10-00-00', lastBackupTime: '2024-05-10T10:00:00Z', ...ALPHA_HAD_ITS_TURN } });
    const alpha = schedule({ name: 'alpha', spec: siblingSpec, labels: GROUP, status: { lastBackup: 'alpha-2024-05-10t10-00-00', lastBackupTime: '2024-05-10T10:00:00Z' } });
    const alphaBackup = (slot: string, state: 'running' | 'complete', extra: { deleting?: boolean; controller?: string } = {}) => {
      const b = backup({ schedule: 'alpha', slot, state });
      b.metadata = { ...b.metadata, labels: { ...b.metadata?.labels, ...GROUP } };
      if (extra.deleting === true) b.metadata.deletionTimestamp = '2024-05-10T11:00:05Z';
      if (extra.controller !== undefined) b.metadata.ownerReferences = [{ apiVersion: 'v1', kind: 'Other', name: 'x', uid: extra.controller, controller: true }];
      return b;
    };
    const cases: Array<{ name: string; newer: ReturnType<typeof backup>; waits: boolean }> = [
      { name: 'running: its last Backup, waits', newer: alphaBackup('2024-05-10T11:00:00Z', 'running'), waits: true },
      { name: 'complete: runs', newer: alphaBackup('2024-05-10T11:00:00Z', 'complete'), waits: false },
      { name: 'running but being deleted: runs', newer: alphaBackup('2024-05-10T11:00:00Z', 'running', { deleting: true }), waits: false },
      { name: 'running, labelled for alpha, controlled by another owner: not its Backup, runs', newer: alphaBackup('2024-05-10T11:00:00Z', 'running', { controller: 'uid-other' }), waits: false },
      { name: 'running with an older slot than its status (not its last): runs', newer: alphaBackup('2024-05-10T09:00:00Z', 'running'), waits: false },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const backups = { 'db/alpha-2024-05-10t10-00-00': alphaBackup('2024-05-10T10:00:00Z', 'complete'), [`db/${c.newer.metadata?.name}`]: c.newer };
        const related = { 'BackupSchedule.pingcap.com/v1alpha1': { 'db/alpha': alpha, 'db/nightly': parent }, 'Backup.pingcap.com/v1alpha1': backups };
        const answer = decide(request(parent, [backup({ slot: '2024-05-10T10:00:00Z' })], { related }), { now: NOW }).response;
        const created = answer.children.some((x) => x.metadata.name === 'nightly-2024-05-10t11-00-00');
        assert.equal(created, !c.waits);
        const ready = (answer.status.conditions ?? []).find((x) => x.type === 'Ready');
        if (c.waits) assert.match(String(ready?.message), new RegExp(`Backup ${c.newer.metadata?.name} of schedule alpha in group nightly-group is still running`));
      });
    }
  });

  describe('two schedules due at once: the one whose name sorts first goes first, the other gives it the grace from when it could start', () => {
    const parent = schedule({ spec, labels: GROUP, status: { lastBackup: 'nightly-2024-05-10t10-00-00', lastBackupTime: '2024-05-10T10:00:00Z' } });
    /** A sibling due at 11:00 like nightly (its last Backup the complete 10:00 one), with `spec` changes. */
    const dueSibling = (name: string, specChanges: Record<string, unknown> = {}) =>
      schedule({ name, spec: { ...spec, ...specChanges }, labels: GROUP, status: { lastBackup: `${name}-2024-05-10t10-00-00`, lastBackupTime: '2024-05-10T10:00:00Z' } });
    const groupBackup = (name: string, slot: string, state: 'running' | 'complete', completed?: string) => {
      const b = backup({ schedule: name, slot, state, ...(completed === undefined ? {} : { extraStatus: { timeCompleted: completed } }) });
      b.metadata = { ...b.metadata, labels: { ...b.metadata?.labels, ...GROUP } };
      return b;
    };
    /** nightly's record of alpha's extra turn for the 11:00 slot (or `slot`), first seen at `seenAt`, in the order of turns. */
    const turn = (seenAt: string, slot = '2024-05-10T11:00:00Z') => ({ schedule: 'alpha', slot, seenAt, order: 'slot' });
    const cases: Array<{
      name: string; sibling: ReturnType<typeof schedule>; now?: string; elevenDone?: boolean; tenDoneAt?: string;
      recorded?: ReturnType<typeof turn>; waitsUntil: string | null; overdue?: boolean; records?: ReturnType<typeof turn> | null;
    }> = [
      { name: 'alpha (sorts first) due at the same slot, its Backup not in the view: waits', sibling: dueSibling('alpha'), waitsUntil: '2024-05-10T11:05:00Z' },
      { name: 'omega (sorts after) due at the same slot: goes first itself', sibling: dueSibling('omega'), waitsUntil: null },
      { name: "alpha's Backup for the slot in the view, complete: runs", sibling: dueSibling('alpha'), elevenDone: true, waitsUntil: null },
      { name: 'alpha paused: runs', sibling: dueSibling('alpha', { pause: true }), waitsUntil: null },
      { name: "alpha's spec invalid: runs", sibling: dueSibling('alpha', { schedule: 'every night' }), waitsUntil: null },
      { name: "alpha's slot missed by its startingDeadlineSeconds: runs", sibling: dueSibling('alpha', { startingDeadlineSeconds: 5 }), waitsUntil: null },
      // Past its turn and not started: the hook could not sync it in time (an outage), or syncs it right now beside this one.
      {
        name: "alpha's slot due a grace ago, first seen overdue now: waits a grace from now, and records alpha's turn",
        sibling: dueSibling('alpha'), now: '2024-05-10T11:05:00Z', waitsUntil: '2024-05-10T11:10:00Z', overdue: true, records: turn('2024-05-10T11:05:00Z'),
      },
      {
        name: '... its turn recorded at 11:06: at 11:08 waits until 11:11, the record kept',
        sibling: dueSibling('alpha'), now: '2024-05-10T11:08:00Z', recorded: turn('2024-05-10T11:06:00Z'), waitsUntil: '2024-05-10T11:11:00Z', overdue: true, records: turn('2024-05-10T11:06:00Z'),
      },
      {
        name: '... its turn recorded a grace ago: runs, the record kept (no second turn for the slot)',
        sibling: dueSibling('alpha'), now: '2024-05-10T11:11:00Z', recorded: turn('2024-05-10T11:06:00Z'), waitsUntil: null, records: turn('2024-05-10T11:06:00Z'),
      },
      {
        // A status read back stale can carry a turn given before the group was last freed, when alpha's turn began anew.
        name: '... a turn recorded before its turn ended (11:03, the turn ending 11:05): not its extra turn, waits a grace from now',
        sibling: dueSibling('alpha'), now: '2024-05-10T11:08:00Z', recorded: turn('2024-05-10T11:03:00Z'), waitsUntil: '2024-05-10T11:13:00Z', overdue: true, records: turn('2024-05-10T11:08:00Z'),
      },
      {
        name: '... a turn recorded for another slot of alpha: waits a grace from now',
        sibling: dueSibling('alpha'), now: '2024-05-10T11:05:00Z', recorded: turn('2024-05-10T10:50:00Z', '2024-05-10T10:00:00Z'), waitsUntil: '2024-05-10T11:10:00Z', overdue: true, records: turn('2024-05-10T11:05:00Z'),
      },
      {
        name: '... a turn recorded later than now (by a clock ahead): counts as seen now',
        sibling: dueSibling('alpha'), now: '2024-05-10T11:05:00Z', recorded: turn('2024-05-10T11:30:00Z'), waitsUntil: '2024-05-10T11:10:00Z', overdue: true, records: turn('2024-05-10T11:05:00Z'),
      },
      { name: "... alpha's Backup for the slot in view: the record goes", sibling: dueSibling('alpha'), now: '2024-05-10T11:08:00Z', elevenDone: true, recorded: turn('2024-05-10T11:06:00Z'), waitsUntil: null, records: null },
      {
        name: "alpha's slot due 20 minutes ago, its 10:00 Backup (which held it) finished 2 minutes ago: waits a grace from the finish",
        sibling: dueSibling('alpha'), now: '2024-05-10T11:20:00Z', tenDoneAt: '2024-05-10T11:18:00Z', waitsUntil: '2024-05-10T11:23:00Z',
      },
      { name: '... finished 10 minutes ago: overdue, waits a grace from now', sibling: dueSibling('alpha'), now: '2024-05-10T11:20:00Z', tenDoneAt: '2024-05-10T11:10:00Z', waitsUntil: '2024-05-10T11:25:00Z', overdue: true },
      { name: '... finished 10 minutes ago, its turn had: runs', sibling: dueSibling('alpha'), now: '2024-05-10T11:20:00Z', tenDoneAt: '2024-05-10T11:10:00Z', recorded: turn('2024-05-10T11:15:00Z'), waitsUntil: null },
      {
        name: '... finished 10 minutes ago, a turn recorded before that finish freed the group: waits a grace from now',
        sibling: dueSibling('alpha'), now: '2024-05-10T11:20:00Z', tenDoneAt: '2024-05-10T11:10:00Z', recorded: turn('2024-05-10T11:07:00Z'), waitsUntil: '2024-05-10T11:25:00Z', overdue: true,
      },
      {
        name: '... a finish more than a grace ahead of the clock is not believed: overdue, waits a grace from now',
        sibling: dueSibling('alpha'), now: '2024-05-10T11:20:00Z', tenDoneAt: '2024-05-10T11:40:00Z', waitsUntil: '2024-05-10T11:25:00Z', overdue: true,
      },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const siblingName = c.sibling.metadata.name ?? '';
        const backups = {
          [`db/${siblingName}-2024-05-10t10-00-00`]: groupBackup(siblingName, '2024-05-10T10:00:00Z', 'complete', c.tenDoneAt),
          ...(c.elevenDone === true ? { [`db/${siblingName}-2024-05-10t11-00-00`]: groupBackup(siblingName, '2024-05-10T11:00:00Z', 'complete') } : {}),
        };
        const related = { 'BackupSchedule.pingcap.com/v1alpha1': { [`db/${siblingName}`]: c.sibling, 'db/nightly': parent }, 'Backup.pingcap.com/v1alpha1': backups };
        const now = c.now === undefined ? NOW : Date.parse(c.now);
        const self = c.recorded === undefined ? parent : schedule({ spec, labels: GROUP, status: { ...parent.status, groupTurn: c.recorded } });
        const answer = decide(request(self, [backup({ slot: '2024-05-10T10:00:00Z' })], { related }), { now }).response;
        const created = answer.children.some((x) => x.metadata.name === 'nightly-2024-05-10t11-00-00');
        assert.equal(created, c.waitsUntil === null);
        if (c.records !== undefined) assert.deepEqual(answer.status['groupTurn'] ?? null, c.records);
        if (c.waitsUntil !== null) {
          const ready = (answer.status.conditions ?? []).find((x) => x.type === 'Ready');
          const state = c.overdue === true ? 'overdue' : 'due';
          assert.match(String(ready?.message), new RegExp(`schedule ${siblingName} in group nightly-group is ${state} \\(slot 2024-05-10T11:00:00Z\\) and goes first.*until ${c.waitsUntil}`));
          assert.ok(answer.resyncAfterSeconds !== undefined && now + answer.resyncAfterSeconds * 1000 <= Date.parse(c.waitsUntil), `called back by ${c.waitsUntil}`);
        }
      });
    }

    it('two overdue siblings due at the same slot get their extra turns one after the other, by name, and neither a second one', () => {
      // alpha and beta sort before nightly; all three are due at 11:00 and the hook was down until 11:20.
      const related = {
        'BackupSchedule.pingcap.com/v1alpha1': { 'db/beta': dueSibling('beta'), 'db/alpha': dueSibling('alpha'), 'db/nightly': parent },
        'Backup.pingcap.com/v1alpha1': {
          'db/alpha-2024-05-10t10-00-00': groupBackup('alpha', '2024-05-10T10:00:00Z', 'complete'),
          'db/beta-2024-05-10t10-00-00': groupBackup('beta', '2024-05-10T10:00:00Z', 'complete'),
        },
      };
      let status = parent.status ?? {};
      const steps: Array<{ at: string; turn: string | null; waitsUntil: string | null }> = [];
      for (const at of ['11:20', '11:24', '11:25', '11:29', '11:30', '11:31']) {
        const self = schedule({ spec, labels: GROUP, status });
        const answer = decide(request(self, [backup({ slot: '2024-05-10T10:00:00Z' })], { related }), { now: Date.parse(`2024-05-10T${at}:00Z`) }).response;
        const ready = String((answer.status.conditions ?? []).find((x) => x.type === 'Ready')?.message);
        const turn = answer.status['groupTurn'] as { schedule: string; seenAt: string } | undefined;
        const created = answer.children.some((x) => x.metadata.name === 'nightly-2024-05-10t11-00-00');
        steps.push({ at, turn: turn === undefined ? null : `${turn.schedule} ${turn.seenAt}`, waitsUntil: created ? null : (/waiting until (\S+)/.exec(ready)?.[1] ?? ready) });
        status = answer.status;
      }
      assert.deepEqual(steps, [
        { at: '11:20', turn: 'alpha 2024-05-10T11:20:00Z', waitsUntil: '2024-05-10T11:25:00Z' },
        { at: '11:24', turn: 'alpha 2024-05-10T11:20:00Z', waitsUntil: '2024-05-10T11:25:00Z' },
        { at: '11:25', turn: 'beta 2024-05-10T11:25:00Z', waitsUntil: '2024-05-10T11:30:00Z' },
        { at: '11:29', turn: 'beta 2024-05-10T11:25:00Z', waitsUntil: '2024-05-10T11:30:00Z' },
        { at: '11:30', turn: 'beta 2024-05-10T11:25:00Z', waitsUntil: null },
        { at: '11:31', turn: 'beta 2024-05-10T11:25:00Z', waitsUntil: null },
      ]);
    });

    it('alpha, deciding from the same view, does not wait for nightly: the order is strict, so one of them always goes', () => {
      const alpha = dueSibling('alpha');
      const related = { 'BackupSchedule.pingcap.com/v1alpha1': { 'db/alpha': alpha, 'db/nightly': parent }, 'Backup.pingcap.com/v1alpha1': {} };
      const answer = decide(request(alpha, [groupBackup('alpha', '2024-05-10T10:00:00Z', 'complete')], { related }), { now: NOW }).response;
      assert.ok(answer.children.some((x) => x.metadata.name === 'alpha-2024-05-10t11-00-00'));
    });
  });

  describe('GroupNotVisible: a schedule of a group missing from the related schedules it is sent', () => {
    const OTHER_GROUP = { 'tidb.pingcap.com/backup-schedule-group': 'other-group' };
    const status = { lastBackup: 'nightly-2024-05-10t10-00-00', lastBackupTime: '2024-05-10T10:00:00Z' };
    const parent = schedule({ spec, labels: GROUP, status });
    const visible = { reason: 'GroupVisible', status: 'False' };
    type Related = NonNullable<SyncRequest['related']>;
    /** The related objects of a customize answer asked for `labels` (the running sibling alpha and, if selected, the schedule). */
    const answerFor = (labels: Record<string, string>): Related => {
      const self = schedule({ spec, labels, status });
      const selected = labels === GROUP ? { 'db/alpha': sibling('alpha'), 'db/nightly': self } : { 'db/nightly': self };
      return { 'BackupSchedule.pingcap.com/v1alpha1': selected, 'Backup.pingcap.com/v1alpha1': labels === GROUP ? { 'db/alpha-running': runningBackupOf('alpha') } : {} };
    };
    const cases: Array<{ name: string; labels?: Record<string, string>; related: Related | undefined; previous?: string; condition: { reason: string; status: string } | null; waits: boolean }> = [
      { name: "its group's answer: waits for alpha, no condition", related: answerFor(GROUP), condition: null, waits: true },
      { name: 'an answer kept from before the label ({}): runs, and says why', related: {}, condition: { reason: 'RelatedObjectsLackSchedule', status: 'True' }, waits: false },
      { name: 'no related objects at all (no customize hook)', related: undefined, condition: { reason: 'RelatedObjectsLackSchedule', status: 'True' }, waits: false },
      { name: "an answer for its former group's label", related: answerFor(OTHER_GROUP), condition: { reason: 'RelatedObjectsLackSchedule', status: 'True' }, waits: false },
      { name: 'seen again after it was not: False', related: answerFor(GROUP), previous: 'True', condition: visible, waits: true },
      { name: 'no group label: nothing to see', labels: {}, related: {}, condition: null, waits: false },
      { name: 'an empty group label: nothing to see', labels: { 'tidb.pingcap.com/backup-schedule-group': '' }, related: {}, condition: null, waits: false },
      { name: 'only a sibling of the group listed, not this schedule', related: { 'BackupSchedule.pingcap.com/v1alpha1': { 'db/alpha': sibling('alpha') } }, condition: { reason: 'RelatedObjectsLackSchedule', status: 'True' }, waits: false },
      {
        name: 'a schedule of the same name and group in another namespace is not this one',
        related: { 'BackupSchedule.pingcap.com/v1alpha1': { 'other/nightly': { ...schedule({ spec, labels: GROUP, status }), metadata: { ...schedule({ spec, labels: GROUP }).metadata, namespace: 'other' } } } },
        condition: { reason: 'RelatedObjectsLackSchedule', status: 'True' },
        waits: false,
      },
      {
        name: 'entries without metadata or without labels are not this schedule',
        related: { 'BackupSchedule.pingcap.com/v1alpha1': { 'db/a': { apiVersion: 'pingcap.com/v1alpha1', kind: 'BackupSchedule' }, 'db/nightly': { apiVersion: 'pingcap.com/v1alpha1', kind: 'BackupSchedule', metadata: { name: 'nightly', namespace: 'db' } } } },
        condition: { reason: 'RelatedObjectsLackSchedule', status: 'True' },
        waits: false,
      },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const conditions = c.previous === undefined ? [] : [{ type: 'GroupNotVisible', status: c.previous, reason: 'RelatedObjectsLackSchedule', message: '', lastTransitionTime: '2024-05-10T10:50:00Z' }];
        const self = schedule({ spec, labels: c.labels ?? GROUP, status: { ...status, conditions } });
        const req = request(self, [backup({ slot: '2024-05-10T10:00:00Z' })], c.related === undefined ? {} : { related: c.related });
        if (c.related === undefined) delete req.related;
        const answer = decide(req, { now: NOW }).response;
        const condition = (answer.status.conditions ?? []).find((x) => x.type === 'GroupNotVisible');
        assert.deepEqual(condition === undefined ? null : { reason: condition.reason, status: condition.status }, c.condition);
        if (c.condition?.status === 'True') assert.match(String(condition?.message), /group nightly-group.*up to 20 minutes/);
        const created = answer.children.some((x) => x.metadata.name === 'nightly-2024-05-10t11-00-00');
        assert.equal(created, !c.waits);
      });
    }
    it('the same request gives the same condition, whatever instant it is sent (no churn)', () => {
      const first = decide(request(parent, [backup({ slot: '2024-05-10T10:00:00Z' })], { related: {} }), { now: NOW }).response.status;
      const again = decide(request(schedule({ spec, labels: GROUP, status: first }), [backup({ slot: '2024-05-10T10:00:00Z' })], { related: {} }), { now: NOW + 60_000 }).response.status;
      const pick = (s: typeof first) => (s.conditions ?? []).find((x) => x.type === 'GroupNotVisible');
      assert.deepEqual(pick(again), pick(first));
    });
  });
});

describe('schedule groups: which related objects hold the schedule', () => {
  const OTHER_GROUP = { 'tidb.pingcap.com/backup-schedule-group': 'other-group' };
  const status = { lastBackup: 'nightly-2024-05-10t10-00-00', lastBackupTime: '2024-05-10T10:00:00Z' };
  const DUE = 'nightly-2024-05-10t11-00-00';
  type Related = NonNullable<SyncRequest['related']>;
  const withLabels = <T extends ReturnType<typeof schedule> | ReturnType<typeof backup>>(object: T, labels: Record<string, string>): T => ({ ...object, metadata: { ...object.metadata, labels } });
  const withoutMetadata = <T extends ReturnType<typeof schedule> | ReturnType<typeof backup>>(object: T): T => {
    const { metadata: _dropped, ...rest } = object;
    return rest as T;
  };
  const alphaRunning = { 'db/alpha-running': runningBackupOf('alpha') };
  const withStatus = (parent: ReturnType<typeof schedule>, extra: JsonObject): ReturnType<typeof schedule> => ({ ...parent, status: { ...parent.status, ...extra } });
  const deletingAlpha = runningBackupOf('alpha');
  deletingAlpha.metadata = { ...deletingAlpha.metadata, deletionTimestamp: '2024-05-10T10:50:00Z' };
  const failedAlpha = withLabels(backup({ schedule: 'alpha', slot: '2024-05-10T10:30:00Z', state: 'failed' }), GROUP);
  const alphaLog = logBackup({ schedule: 'alpha', start: '2024-05-10T10:46:00Z', checkpoint: '2024-05-10T10:59:00Z' });
  const self = (labels: Record<string, string>) => schedule({ spec: { ...spec, backupTimeout: '1h' }, labels, status });

  // related 'absent': a request without the key at all (no customize hook declared).
  const cases: ReadonlyArray<{ name: string; labels?: Record<string, string>; related: Related | 'absent'; ownRunning?: boolean; waitsFor: RegExp | null }> = [
    { name: 'a running sibling of the group holds it', related: { 'BackupSchedule.pingcap.com/v1alpha1': { 'db/alpha': sibling('alpha') }, 'Backup.pingcap.com/v1alpha1': alphaRunning }, waitsFor: /Backup alpha-2024-05-10t10-30-00 of schedule alpha in group nightly-group/ },
    // A schedule that left the group (its label removed) is not related any more; its running Backup keeps the label.
    { name: 'a running Backup of the group whose schedule left it does not', related: { 'BackupSchedule.pingcap.com/v1alpha1': {}, 'Backup.pingcap.com/v1alpha1': alphaRunning }, waitsFor: null },
    { name: 'a schedule of another group does not', related: { 'BackupSchedule.pingcap.com/v1alpha1': { 'db/alpha': withLabels(sibling('alpha'), OTHER_GROUP) }, 'Backup.pingcap.com/v1alpha1': alphaRunning }, waitsFor: null },
    { name: 'a sibling whose last Backup is not among the related Backups does not', related: { 'BackupSchedule.pingcap.com/v1alpha1': { 'db/alpha': sibling('alpha') }, 'Backup.pingcap.com/v1alpha1': {} }, waitsFor: null },
    { name: "a sibling whose running last Backup is being deleted does not", related: { 'BackupSchedule.pingcap.com/v1alpha1': { 'db/alpha': sibling('alpha') }, 'Backup.pingcap.com/v1alpha1': { 'db/alpha-running': deletingAlpha } }, waitsFor: null },
    { name: 'a sibling whose last Backup failed does not', related: { 'BackupSchedule.pingcap.com/v1alpha1': { 'db/alpha': sibling('alpha') }, 'Backup.pingcap.com/v1alpha1': { 'db/alpha-failed': failedAlpha } }, waitsFor: null },
    {
      // Its own last Backup runs past backupTimeout: the stuck rule lets the next one start, which a sibling's would not.
      name: 'the schedule itself among the related schedules is not its own sibling: its stuck Backup does not hold it',
      related: { 'BackupSchedule.pingcap.com/v1alpha1': { 'db/nightly': self(GROUP) }, 'Backup.pingcap.com/v1alpha1': { 'db/nightly-2024-05-10t10-00-00': withLabels(backup({ slot: '2024-05-10T10:00:00Z', state: 'running' }), GROUP) } },
      ownRunning: true,
      waitsFor: null,
    },
    {
      name: "a sibling's backup-now record without a token is no record",
      related: {
        'BackupSchedule.pingcap.com/v1alpha1': { 'db/alpha': withStatus(sibling('alpha'), { lastBackupNow: { name: 'alpha-manual-x' } }) },
        'Backup.pingcap.com/v1alpha1': { 'db/alpha-manual-x': withLabels(backup({ schedule: 'alpha', slot: '2024-05-10T10:30:00Z', name: 'alpha-manual-x', state: 'running' }), GROUP) },
      },
      waitsFor: null,
    },
    { name: 'no group label: schedules listed without the label do not hold it', labels: {}, related: { 'BackupSchedule.pingcap.com/v1alpha1': { 'db/alpha': withLabels(sibling('alpha'), {}) }, 'Backup.pingcap.com/v1alpha1': alphaRunning }, waitsFor: null },
    { name: 'an empty group label is no group', labels: { 'tidb.pingcap.com/backup-schedule-group': '' }, related: { 'BackupSchedule.pingcap.com/v1alpha1': { 'db/alpha': withLabels(sibling('alpha'), { 'tidb.pingcap.com/backup-schedule-group': '' }) }, 'Backup.pingcap.com/v1alpha1': alphaRunning }, waitsFor: null },
    { name: 'a request without related objects (no customize hook)', related: 'absent', waitsFor: null },
    {
      name: 'a sibling that never backed up, its only Backup in the view its running log Backup, and not due: does not hold it',
      related: {
        'BackupSchedule.pingcap.com/v1alpha1': { 'db/alpha': schedule({ name: 'alpha', spec: siblingSpec, labels: GROUP, created: '2024-05-10T10:45:00Z' }) },
        'Backup.pingcap.com/v1alpha1': { 'db/log-alpha': withLabels(alphaLog, { ...alphaLog.metadata?.labels, ...GROUP }) },
      },
      waitsFor: null,
    },
    {
      name: 'a sibling that never backed up and is due at the same slot, its name first: holds it a grace from its slot',
      related: { 'BackupSchedule.pingcap.com/v1alpha1': { 'db/alpha': schedule({ name: 'alpha', spec, labels: GROUP, created: '2024-05-10T10:00:00Z' }) } },
      waitsFor: /: schedule alpha in group nightly-group is due \(slot 2024-05-10T11:00:00Z\) and goes first; its Backup is not in the view yet, waiting until 2024-05-10T11:05:00Z/,
    },
    {
      name: "a due sibling whose Backup of that slot is in the view, though without its schedule label, is not due: does not hold it",
      related: {
        'BackupSchedule.pingcap.com/v1alpha1': { 'db/alpha': schedule({ name: 'alpha', spec, labels: GROUP, status: { lastBackup: 'alpha-2024-05-10t10-00-00', lastBackupTime: '2024-05-10T10:00:00Z' } }) },
        'Backup.pingcap.com/v1alpha1': { 'db/alpha-2024-05-10t11-00-00': withLabels(backup({ schedule: 'alpha', slot: '2024-05-10T11:00:00Z', state: 'new' }), GROUP) },
      },
      waitsFor: null,
    },
    {
      name: 'a sibling whose status records a recent last Backup time but no name: nothing to wait for',
      related: { 'BackupSchedule.pingcap.com/v1alpha1': { 'db/alpha': schedule({ name: 'alpha', spec: siblingSpec, labels: GROUP, status: { lastBackupTime: '2024-05-10T10:58:00Z' } }) } },
      waitsFor: null,
    },
    {
      name: "a sibling's backup-now record with an empty name, asked for a moment ago: nothing to wait for",
      related: {
        'BackupSchedule.pingcap.com/v1alpha1': {
          'db/alpha': withStatus(sibling('alpha'), {
            lastBackupNow: { name: '', token: 'a1' },
            conditions: [{ type: 'BackupNow', status: 'True', reason: 'Running', message: 'm', lastTransitionTime: '2024-05-10T10:59:00Z' }],
          }),
        },
      },
      waitsFor: null,
    },
    {
      name: 'two siblings whose last Backups may exist unseen until the same instant: it names the first by key',
      related: {
        'BackupSchedule.pingcap.com/v1alpha1': Object.fromEntries(
          ['beta', 'alpha'].map((n) => [`db/${n}`, schedule({ name: n, spec: siblingSpec, labels: GROUP, status: { lastBackup: `${n}-2024-05-10t10-58-00`, lastBackupTime: '2024-05-10T10:58:00Z' } })]),
        ),
      },
      waitsFor: /: Backup alpha-2024-05-10t10-58-00 of schedule alpha in group nightly-group is not in the view yet; it counts as running until 2024-05-10T11:03:00Z/,
    },
    {
      name: 'related objects without metadata or labels are nobody',
      related: {
        'BackupSchedule.pingcap.com/v1alpha1': { 'db/bare': withoutMetadata(sibling('bare')), 'db/beta': { ...sibling('beta'), metadata: { name: 'beta', namespace: 'db' } } },
        'Backup.pingcap.com/v1alpha1': { 'db/bare-running': withoutMetadata(runningBackupOf('bare')), 'db/unlabelled': { ...runningBackupOf('gamma'), metadata: { name: 'unlabelled', namespace: 'db' } } },
      },
      waitsFor: null,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const children = [backup({ slot: '2024-05-10T10:00:00Z', ...(c.ownRunning ? { state: 'running' as const } : {}) })];
      const req = request(self(c.labels ?? GROUP), children, c.related === 'absent' ? {} : { related: c.related });
      if (c.related === 'absent') delete req.related;
      const answer = decide(req, { now: NOW }).response;
      const ready = String((answer.status.conditions ?? []).find((x) => x.type === 'Ready')?.message);
      assert.equal(answer.children.some((x) => x.metadata.name === DUE), c.waitsFor === null, ready);
      if (c.waitsFor !== null) assert.match(ready, c.waitsFor);
    });
  }
});

describe('customize: the related objects a schedule asks for', () => {
  const cases: ReadonlyArray<{ name: string; labels: Record<string, string>; resources: string[] }> = [
    { name: 'no group label: none', labels: {}, resources: [] },
    { name: 'an empty group label: none', labels: { [GROUP_LABEL]: '' }, resources: [] },
    { name: "a group: the group's schedules and Backups", labels: GROUP, resources: ['backupschedules', 'backups'] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const rules = customize(schedule({ labels: c.labels })).relatedResources;
      assert.deepEqual(rules.map((r) => r.resource), c.resources);
      for (const rule of rules) assert.deepEqual(rule.labelSelector, { matchLabels: GROUP });
    });
  }
});

describe('customize: the whole answer', () => {
  it("a group: the group's BackupSchedules and Backups of pingcap.com/v1alpha1, by the group label", () => {
    assert.deepEqual(customize(schedule({ labels: GROUP })), {
      relatedResources: [
        { apiVersion: 'pingcap.com/v1alpha1', resource: 'backupschedules', labelSelector: { matchLabels: GROUP } },
        { apiVersion: 'pingcap.com/v1alpha1', resource: 'backups', labelSelector: { matchLabels: GROUP } },
      ],
    });
  });
  it('a schedule without any labels: none', () => {
    const parent = schedule();
    delete parent.metadata.labels;
    assert.deepEqual(customize(parent), { relatedResources: [] });
  });
});

describe('GroupNotVisible: what the condition says', () => {
  it('while the related schedules lack this one: why, and what to check', () => {
    assert.deepEqual(groupNotVisibleFinding(schedule({ labels: GROUP }), {}), {
      reason: 'RelatedObjectsLackSchedule',
      message:
        'this schedule is in group nightly-group, but the related objects Metacontroller sent do not include it, so it does not ' +
        "see its group and does not wait for it. Metacontroller keeps a schedule's customize answer per metadata.generation " +
        'for up to 20 minutes and a label edit does not change the generation: it asks again within 20 minutes, or at the ' +
        'next spec change. If this lasts, check that the CompositeController declares the customize hook (/customize)',
    });
  });
  it('once they include it again', () => {
    const status = { lastBackup: 'nightly-2024-05-10t10-00-00', lastBackupTime: '2024-05-10T10:00:00Z' };
    const before = [{ type: 'GroupNotVisible', status: 'True', reason: 'RelatedObjectsLackSchedule', message: 'm', lastTransitionTime: '2024-05-10T10:50:00Z' }];
    const self = schedule({ spec, labels: GROUP, status: { ...status, conditions: before } });
    const related = { 'BackupSchedule.pingcap.com/v1alpha1': { 'db/nightly': self } };
    const answer = decide(request(self, [backup({ slot: '2024-05-10T10:00:00Z' })], { related }), { now: NOW }).response;
    assert.deepEqual((answer.status.conditions ?? []).find((x) => x.type === 'GroupNotVisible'), {
      type: 'GroupNotVisible',
      status: 'False',
      reason: 'GroupVisible',
      message: 'the related objects Metacontroller sends include this schedule: its group is seen',
      lastTransitionTime: '2024-05-10T11:00:10Z',
    });
  });
});

describe('GroupNotVisible once the schedule has left its group', () => {
  // Reported True while its customize answer predated the group label; then the label is removed (or emptied).
  const status = { lastBackup: 'nightly-2024-05-10t10-00-00', lastBackupTime: '2024-05-10T10:00:00Z' };
  const before = [{ type: 'GroupNotVisible', status: 'True', reason: 'RelatedObjectsLackSchedule', message: 'm', lastTransitionTime: '2024-05-10T10:50:00Z' }];
  const cases: Array<{ name: string; labels: Record<string, string> }> = [
    { name: 'the label removed: False, it is in no group (not that its group is seen)', labels: {} },
    { name: 'the label emptied: the same', labels: { 'tidb.pingcap.com/backup-schedule-group': '' } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const self = schedule({ spec, labels: c.labels, status: { ...status, conditions: before } });
      const answer = decide(request(self, [backup({ slot: '2024-05-10T10:00:00Z' })], { related: {} }), { now: NOW }).response;
      assert.deepEqual((answer.status.conditions ?? []).find((x) => x.type === 'GroupNotVisible'), {
        type: 'GroupNotVisible',
        status: 'False',
        reason: 'NoGroup',
        message: 'this schedule has no tidb.pingcap.com/backup-schedule-group label: it is in no group',
        lastTransitionTime: '2024-05-10T11:00:10Z',
      });
    });
  }
});

describe("schedule groups: a sibling's turn lasts a grace from its slot or the group's last finish", () => {
  // alpha sorts before nightly; both are due at 11:00. Extra Backups of the group (of schedules not listed) finished
  // five minutes after their slots.
  const at = (hhmm: string): string => `2024-05-10T${hhmm}:00Z`;
  const grouped = (b: ReturnType<typeof backup>): ReturnType<typeof backup> => ({ ...b, metadata: { ...b.metadata, labels: { ...b.metadata?.labels, ...GROUP } } });
  function answerAt(now: string, finished: ReadonlyArray<readonly [schedule: string, slot: string]>) {
    const alpha = schedule({ name: 'alpha', spec, labels: GROUP, status: { lastBackup: 'alpha-2024-05-10t10-00-00', lastBackupTime: at('10:00') } });
    const parent = schedule({ spec, labels: GROUP, status: { lastBackup: 'nightly-2024-05-10t10-00-00', lastBackupTime: at('10:00') } });
    const backups = [backup({ schedule: 'alpha', slot: at('10:00') }), ...finished.map(([s, slot]) => backup({ schedule: s, slot: at(slot) }))].map(grouped);
    const related = { 'BackupSchedule.pingcap.com/v1alpha1': { 'db/alpha': alpha }, 'Backup.pingcap.com/v1alpha1': Object.fromEntries(backups.map((b) => [`db/${b.metadata?.name}`, b])) };
    return decide(request(parent, [backup({ slot: at('10:00') })], { related }), { now: Date.parse(at(now)) }).response;
  }
  const cases: ReadonlyArray<{ name: string; now: string; finished: ReadonlyArray<readonly [string, string]>; waitsUntil: string | null }> = [
    { name: 'within the grace after its slot: waits', now: '11:04', finished: [], waitsUntil: at('11:05') },
    { name: 'past it, first seen overdue: one more grace from now', now: '11:06', finished: [], waitsUntil: at('11:11') },
    { name: 'a group Backup finished at 11:03: the turn lasts until 11:08', now: '11:06', finished: [['beta', '10:58']], waitsUntil: at('11:08') },
    { name: 'the latest finish counts, listed first', now: '11:06', finished: [['beta', '10:58'], ['gamma', '10:35']], waitsUntil: at('11:08') },
    { name: 'the latest finish counts, listed last', now: '11:06', finished: [['beta', '10:35'], ['gamma', '10:58']], waitsUntil: at('11:08') },
    { name: 'a finish exactly a grace ahead of the clock is believed', now: '11:06', finished: [['beta', '11:06']], waitsUntil: at('11:16') },
    { name: 'a finish more than a grace ahead of the clock is not: past its turn, one more grace from now', now: '11:06', finished: [['beta', '11:15']], waitsUntil: at('11:11') },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const answer = answerAt(c.now, c.finished);
      const ready = String((answer.status.conditions ?? []).find((x) => x.type === 'Ready')?.message);
      assert.equal(answer.children.some((x) => x.metadata.name === 'nightly-2024-05-10t11-00-00'), c.waitsUntil === null, ready);
      if (c.waitsUntil !== null) assert.match(ready, new RegExp(`schedule alpha in group nightly-group is (over)?due .* waiting until ${c.waitsUntil.replaceAll('.', '\\.')}`));
    });
  }
});

describe('schedule groups: Backups of siblings in flight, and the wait that ends last', () => {
  const at = (hhmm: string): string => `2024-05-10T${hhmm}:00Z`;
  const grouped = (b: ReturnType<typeof backup>): ReturnType<typeof backup> => ({ ...b, metadata: { ...b.metadata, labels: { ...b.metadata?.labels, ...GROUP } } });
  /** A sibling whose last Backup (11:00), asked for at `askedAt`, is not in the view. */
  const inFlight = (name: string, askedAt: string) =>
    schedule({ name, spec, labels: GROUP, status: { lastBackup: `${name}-2024-05-10t11-00-00`, lastBackupTime: at('11:00'), lastBackupCreation: { name: `${name}-2024-05-10t11-00-00`, time: askedAt } } });
  // alpha sorts first and is due at 11:00: its turn lasts until 11:05.
  const alpha = schedule({ name: 'alpha', spec, labels: GROUP, status: { lastBackup: 'alpha-2024-05-10t10-00-00', lastBackupTime: at('10:00') } });
  const alphaLast = backup({ schedule: 'alpha', slot: at('10:00') });
  const zeta = schedule({ name: 'zeta', spec, labels: GROUP, status: { lastBackup: 'zeta-2024-05-10t11-00-00', lastBackupTime: at('11:00') } });
  const zetaManual = backup({ schedule: 'zeta', slot: at('11:01'), name: 'zeta-manual-x', annotate: false, annotations: { 'backup-schedule-hook/backup-now': 'x' }, state: 'running' });
  const cases: ReadonlyArray<{ name: string; siblings: ReturnType<typeof schedule>[]; backups: ReturnType<typeof backup>[]; waits: RegExp | null }> = [
    { name: 'a last Backup asked for at 11:02 and not in the view counts as running until 11:07', siblings: [inFlight('zeta', at('11:02'))], backups: [], waits: /schedule zeta .*until 2024-05-10T11:07:00Z/ },
    { name: 'asked for exactly a grace ahead of this clock: believed', siblings: [inFlight('zeta', at('11:09'))], backups: [], waits: /schedule zeta .*until 2024-05-10T11:14:00Z/ },
    { name: 'asked for more than a grace ahead of this clock: not believed', siblings: [inFlight('zeta', at('11:10'))], backups: [], waits: null },
    { name: "alpha's turn (11:05), then zeta in flight (11:07): until 11:07", siblings: [alpha, inFlight('zeta', at('11:02'))], backups: [alphaLast], waits: /schedule zeta .*until 2024-05-10T11:07:00Z/ },
    { name: 'able in flight (11:07), then alpha\'s turn (11:05): until 11:07', siblings: [inFlight('able', at('11:02')), alpha], backups: [alphaLast], waits: /schedule able .*until 2024-05-10T11:07:00Z/ },
    { name: "a sibling's running backup-now Backup its status does not name is not its last", siblings: [zeta], backups: [backup({ schedule: 'zeta', slot: at('11:00') }), zetaManual], waits: null },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const parent = schedule({ spec, labels: GROUP, status: { lastBackup: 'nightly-2024-05-10t10-00-00', lastBackupTime: at('10:00') } });
      const related = {
        'BackupSchedule.pingcap.com/v1alpha1': Object.fromEntries(c.siblings.map((s) => [`db/${s.metadata.name}`, s])),
        'Backup.pingcap.com/v1alpha1': Object.fromEntries(c.backups.map(grouped).map((b) => [`db/${b.metadata?.name}`, b])),
      };
      const answer = decide(request(parent, [backup({ slot: at('10:00') })], { related }), { now: Date.parse(at('11:04')) }).response;
      const ready = String((answer.status.conditions ?? []).find((x) => x.type === 'Ready')?.message);
      assert.equal(answer.children.some((x) => x.metadata.name === 'nightly-2024-05-10t11-00-00'), c.waits === null, ready);
      if (c.waits !== null) assert.match(ready, c.waits);
    });
  }
});

describe('schedule groups: siblings due together take turns by due slot, then by name', () => {
  const at = (hhmm: string): string => `2024-05-10T${hhmm}:00Z`;
  const grouped = (b: ReturnType<typeof backup>): ReturnType<typeof backup> => ({ ...b, metadata: { ...b.metadata, labels: { ...b.metadata?.labels, ...GROUP } } });
  const hourBefore = (hhmm: string): string => new Date(Date.parse(at(hhmm)) - 3_600_000).toISOString().slice(11, 16);
  /** A schedule of the group hourly, due at `slot` (hh:mm): its last Backup, complete and in the view, is the one an hour before. */
  const member = (name: string, slot: string, status: JsonObject = {}, annotations?: Record<string, string>) => {
    const last = hourBefore(slot);
    return {
      schedule: schedule({
        name,
        spec: { ...spec, schedule: `${Number(slot.slice(3))} * * * *` },
        labels: GROUP,
        status: { lastBackup: `${name}-2024-05-10t${last.replace(':', '-')}-00`, lastBackupTime: at(last), ...status },
        ...(annotations === undefined ? {} : { annotations }),
      }),
      last: backup({ schedule: name, slot: at(last) }),
    };
  };
  type Member = ReturnType<typeof member>;
  /** decideFor is `self`'s answer at `now` (hh:mm:ss) with its siblings and their last Backups related: none of their due Backups is in the view. */
  function decideFor(self: Member, siblings: readonly Member[], now: string) {
    const related = {
      'BackupSchedule.pingcap.com/v1alpha1': Object.fromEntries([self, ...siblings].map((m) => [`db/${m.schedule.metadata.name}`, m.schedule])),
      'Backup.pingcap.com/v1alpha1': Object.fromEntries(siblings.map((m) => grouped(m.last)).map((b) => [`db/${b.metadata?.name}`, b])),
    };
    const answer = decide(request(self.schedule, [self.last], { related }), { now: Date.parse(`2024-05-10T${now}Z`) }).response;
    return { answer, ready: String((answer.status.conditions ?? []).find((x) => x.type === 'Ready')?.message) };
  }

  // alpha and beta sort before nightly, omega after. A schedule is `name hh:mm`, due at that slot; `waits`: the sibling
  // that goes first, its slot, and when its turn ends.
  const cases: ReadonlyArray<{ name: string; self: string; siblings: string[]; now: string; waits: string | null }> = [
    { name: "nightly (due 11:01) synced at 11:01:30, its view lacking omega's 11:00 Backup: omega's slot is earlier, nightly waits a grace from it", self: 'nightly 11:01', siblings: ['omega 11:00'], now: '11:01:30', waits: 'omega 11:00 until 11:05' },
    { name: 'omega (due 11:00) synced at its slot: nightly is not due yet, omega starts', self: 'omega 11:00', siblings: ['nightly 11:01'], now: '11:00:10', waits: null },
    { name: "omega (due 11:00) synced late, at 11:01:30, its view lacking nightly's 11:01 Backup: nightly's slot is later, omega does not wait for it", self: 'omega 11:00', siblings: ['nightly 11:01'], now: '11:01:30', waits: null },
    { name: 'equal slots: alpha sorts first and goes first, nightly waits', self: 'nightly 11:00', siblings: ['alpha 11:00'], now: '11:00:10', waits: 'alpha 11:00 until 11:05' },
    { name: 'equal slots: omega sorts after, nightly goes first', self: 'nightly 11:00', siblings: ['omega 11:00'], now: '11:00:10', waits: null },
    { name: "alpha due at 11:02, after nightly's slot (11:00): it does not hold nightly back, although its name sorts first", self: 'nightly 11:00', siblings: ['alpha 11:02'], now: '11:03:00', waits: null },
    { name: 'of alpha (name first, due 11:02, after) and omega (due 11:00, before), nightly (due 11:01) waits for omega alone', self: 'nightly 11:01', siblings: ['alpha 11:02', 'omega 11:00'], now: '11:02:30', waits: 'omega 11:00 until 11:05' },
  ];
  const parse = (s: string): Member => {
    const [name = '', slot = ''] = s.split(' ');
    return member(name, slot);
  };
  for (const c of cases) {
    it(c.name, () => {
      const self = parse(c.self);
      const { answer, ready } = decideFor(self, c.siblings.map(parse), c.now);
      const created = `${self.schedule.metadata.name}-2024-05-10t${c.self.split(' ')[1]?.replace(':', '-')}-00`;
      assert.equal(answer.children.some((x) => x.metadata.name === created), c.waits === null, ready);
      if (c.waits !== null) {
        const [sibling, slot = '', , until = ''] = c.waits.split(' ');
        assert.match(ready, new RegExp(`schedule ${sibling} in group nightly-group is due \\(slot ${at(slot)}\\) and goes first.*waiting until ${at(until)}`));
      }
    });
  }

  describe('with no slot of its own to plan (only a backup-now Backup in question): by name, as before', () => {
    // nightly ran its 11:00 slot; the backup-now request x1, first seen at 10:50, waits for the group alone.
    const self = {
      ...member('nightly', '11:00', { lastBackup: 'nightly-2024-05-10t11-00-00', lastBackupTime: at('11:00'), backupNowRequest: { token: 'x1', seenAt: at('10:50') } }, { 'backup-schedule-hook/backup-now': 'x1' }),
      last: backup({ slot: at('11:00') }),
    };
    const cases: ReadonlyArray<{ name: string; sibling: Member; waitsUntil: string | null }> = [
      { name: "alpha (sorts first) due at 11:00: the backup-now Backup waits for alpha's turn", sibling: member('alpha', '11:00'), waitsUntil: '11:05' },
      { name: 'alpha (sorts first) due at 11:02: it waits for its turn too', sibling: member('alpha', '11:02'), waitsUntil: '11:07' },
      { name: 'omega (sorts after) due at 11:00: it does not wait', sibling: member('omega', '11:00'), waitsUntil: null },
      { name: "omega (sorts after) due at 10:59: it does not wait, although that slot is earlier than any of nightly's to come", sibling: member('omega', '10:59'), waitsUntil: null },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const { answer } = decideFor(self, [c.sibling], '11:04:00');
        const waiting = String((answer.status.conditions ?? []).find((x) => x.type === 'BackupNow')?.message);
        assert.equal(answer.children.some((x) => x.metadata.name === 'nightly-manual-x1'), c.waitsUntil === null, waiting);
        // The BackupNow condition says it waits for the gate; the call-back comes when the sibling's turn ends.
        if (c.waitsUntil !== null) assert.equal(Date.parse('2024-05-10T11:04:00Z') + (answer.resyncAfterSeconds ?? Infinity) * 1000, Date.parse(at(c.waitsUntil)));
      });
    }
  });

  it('overdue siblings get their extra turns in the same order, by due slot, then by name (status.groupTurn)', () => {
    // The hook was down until 11:20: every sibling is past its turn. nightly is due at 11:00.
    const worlds: ReadonlyArray<{ siblings: Member[]; turns: [string, string] }> = [
      { siblings: [member('alpha', '11:00'), member('beta', '10:58')], turns: ['beta', 'alpha'] },
      { siblings: [member('alpha', '11:00'), member('omega', '10:59')], turns: ['omega', 'alpha'] },
    ];
    for (const world of worlds) {
      const self = member('nightly', '11:00');
      let status = self.schedule.status ?? {};
      const steps: Array<{ at: string; turn: string | null; waitsUntil: string | null }> = [];
      for (const now of ['11:20', '11:24', '11:25', '11:29', '11:30', '11:31']) {
        const { answer, ready } = decideFor({ ...self, schedule: { ...self.schedule, status } }, world.siblings, `${now}:00`);
        const turn = answer.status['groupTurn'] as { schedule: string; seenAt: string } | undefined;
        const created = answer.children.some((x) => x.metadata.name === 'nightly-2024-05-10t11-00-00');
        steps.push({ at: now, turn: turn === undefined ? null : `${turn.schedule} ${turn.seenAt}`, waitsUntil: created ? null : (/waiting until (\S+)/.exec(ready)?.[1] ?? ready) });
        status = answer.status;
      }
      const [first, second] = world.turns;
      assert.deepEqual(steps, [
        { at: '11:20', turn: `${first} ${at('11:20')}`, waitsUntil: at('11:25') },
        { at: '11:24', turn: `${first} ${at('11:20')}`, waitsUntil: at('11:25') },
        { at: '11:25', turn: `${second} ${at('11:25')}`, waitsUntil: at('11:30') },
        { at: '11:29', turn: `${second} ${at('11:25')}`, waitsUntil: at('11:30') },
        { at: '11:30', turn: `${second} ${at('11:25')}`, waitsUntil: null },
        { at: '11:31', turn: `${second} ${at('11:25')}`, waitsUntil: null },
      ], world.turns.join(' then '));
    }
  });
});

describe("schedule groups: a sibling's last Backup holds the group only while it may run (not Invalid, not stuck past its backupTimeout)", () => {
  // nightly (due at 11:00, NOW 11:00:10) and alpha (half past: not due, so no turn is in question). nightly's own
  // backupTimeout is 1h: a sibling's Backup is judged by the sibling's spec, not by this schedule's.
  const grouped = (b: ReturnType<typeof backup>): ReturnType<typeof backup> => ({ ...b, metadata: { ...b.metadata, labels: { ...b.metadata?.labels, ...GROUP } } });
  const ALPHA_LAST = 'alpha-2024-05-10t10-30-00';
  const lastOfAlpha = (state: 'running' | 'invalid', created?: string) =>
    grouped(backup({ schedule: 'alpha', slot: '2024-05-10T10:30:00Z', state, ...(created === undefined ? {} : { created }) }));
  const manualOfAlpha = (state: 'running' | 'invalid', created: string) =>
    grouped(backup({ schedule: 'alpha', slot: created, name: 'alpha-manual-x1', annotate: false, annotations: { 'backup-schedule-hook/backup-now': 'x1' }, state, created }));
  /** alpha's status: its last Backup the 10:30 one; with `backupNow`, also a backup-now Backup asked for at 10:40. */
  const alphaStatus = (backupNow: boolean): JsonObject => ({
    lastBackup: ALPHA_LAST,
    lastBackupTime: '2024-05-10T10:30:00Z',
    ...(backupNow
      ? {
          lastBackupNow: { name: 'alpha-manual-x1', token: 'x1' },
          conditions: [{ type: 'BackupNow', status: 'True', reason: 'Running', message: 'm', lastTransitionTime: '2024-05-10T10:40:00Z' }],
        }
      : {}),
  });
  const STILL_RUNNING = (name: string) => new RegExp(`Backup ${name} of schedule alpha in group nightly-group is still running`);
  const cases: ReadonlyArray<{ name: string; alpha: JsonObject; backupNow?: boolean; backups: ReturnType<typeof backup>[]; waitsFor: RegExp | null }> = [
    { name: 'running, alpha without backupTimeout (created 2h before): holds it', alpha: {}, backups: [lastOfAlpha('running', '2024-05-10T09:00:10Z')], waitsFor: STILL_RUNNING(ALPHA_LAST) },
    { name: 'Invalid (no job runs for it): does not hold it', alpha: {}, backups: [lastOfAlpha('invalid')], waitsFor: null },
    { name: 'Invalid, alpha paused (it never starts another): does not hold it', alpha: { pause: true }, backups: [lastOfAlpha('invalid')], waitsFor: null },
    { name: 'running within alpha\'s backupTimeout 2h: holds it', alpha: { backupTimeout: '2h' }, backups: [lastOfAlpha('running', '2024-05-10T09:00:11Z')], waitsFor: STILL_RUNNING(ALPHA_LAST) },
    { name: 'running exactly alpha\'s backupTimeout 2h (stuck by its own rule): does not hold it', alpha: { backupTimeout: '2h' }, backups: [lastOfAlpha('running', '2024-05-10T09:00:10Z')], waitsFor: null },
    { name: 'stuck past alpha\'s backupTimeout 30m, alpha paused: does not hold it', alpha: { backupTimeout: '30m', pause: true }, backups: [lastOfAlpha('running')], waitsFor: null },
    { name: 'past this schedule\'s backupTimeout (1h) but alpha has none: holds it', alpha: {}, backups: [lastOfAlpha('running', '2024-05-10T09:30:00Z')], waitsFor: STILL_RUNNING(ALPHA_LAST) },
    { name: 'created after this clock (a clock behind): not stuck by it, holds it', alpha: { backupTimeout: '30m' }, backups: [lastOfAlpha('running', '2024-05-10T11:30:00Z')], waitsFor: STILL_RUNNING(ALPHA_LAST) },
    // An invalid spec: alpha's sync runs no stuck rule (nor creates anything), so its backupTimeout is not read.
    { name: 'past a backupTimeout of an invalid spec: holds it', alpha: { backupTimeout: '30m', schedule: 'not a schedule' }, backups: [lastOfAlpha('running')], waitsFor: STILL_RUNNING(ALPHA_LAST) },
    { name: 'its backup-now Backup running within alpha\'s backupTimeout: holds it', alpha: { backupTimeout: '30m' }, backupNow: true, backups: [lastOfAlpha('invalid'), manualOfAlpha('running', '2024-05-10T10:40:00Z')], waitsFor: STILL_RUNNING('alpha-manual-x1') },
    { name: 'its backup-now Backup stuck past alpha\'s backupTimeout: does not hold it', alpha: { backupTimeout: '10m' }, backupNow: true, backups: [lastOfAlpha('invalid'), manualOfAlpha('running', '2024-05-10T10:40:00Z')], waitsFor: null },
    { name: 'its backup-now Backup Invalid: does not hold it', alpha: {}, backupNow: true, backups: [lastOfAlpha('invalid'), manualOfAlpha('invalid', '2024-05-10T10:40:00Z')], waitsFor: null },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const parent = schedule({ spec: { ...spec, backupTimeout: '1h' }, labels: GROUP, status: { lastBackup: 'nightly-2024-05-10t10-00-00', lastBackupTime: '2024-05-10T10:00:00Z' } });
      const alpha = schedule({ name: 'alpha', spec: { ...siblingSpec, ...c.alpha }, labels: GROUP, status: alphaStatus(c.backupNow === true) });
      const related = {
        'BackupSchedule.pingcap.com/v1alpha1': { 'db/alpha': alpha, 'db/nightly': parent },
        'Backup.pingcap.com/v1alpha1': Object.fromEntries(c.backups.map((b) => [`db/${b.metadata?.name}`, b])),
      };
      const answer = decide(request(parent, [backup({ slot: '2024-05-10T10:00:00Z' })], { related }), { now: NOW }).response;
      const ready = String((answer.status.conditions ?? []).find((x) => x.type === 'Ready')?.message);
      assert.equal(answer.children.some((x) => x.metadata.name === 'nightly-2024-05-10t11-00-00'), c.waitsFor === null, ready);
      if (c.waitsFor !== null) assert.match(ready, c.waitsFor);
      else assert.doesNotMatch(ready, /still running/);
    });
  }

  it("asks to be called back when the sibling's Backup will count as stuck, and says when", () => {
    // alpha's Backup, created 09:30:10 with alpha's backupTimeout 2h, counts as stuck from 11:30:10: before the next tick.
    const parent = schedule({ spec: { ...spec, backupTimeout: '1h' }, labels: GROUP, status: { lastBackup: 'nightly-2024-05-10t10-00-00', lastBackupTime: '2024-05-10T10:00:00Z' } });
    const alpha = schedule({ name: 'alpha', spec: { ...siblingSpec, backupTimeout: '2h' }, labels: GROUP, status: alphaStatus(false) });
    const running = lastOfAlpha('running', '2024-05-10T09:30:10Z');
    const related = {
      'BackupSchedule.pingcap.com/v1alpha1': { 'db/alpha': alpha, 'db/nightly': parent },
      'Backup.pingcap.com/v1alpha1': { [`db/${ALPHA_LAST}`]: running },
    };
    const answer = decide(request(parent, [backup({ slot: '2024-05-10T10:00:00Z' })], { related }), { now: NOW }).response;
    const ready = String((answer.status.conditions ?? []).find((x) => x.type === 'Ready')?.message);
    assert.match(ready, /is still running; it counts as stuck from 2024-05-10T11:30:10Z \(the backupTimeout of schedule alpha\)/);
    assert.equal(answer.resyncAfterSeconds, 30 * 60);
  });

  // A running sibling holds the group whatever the others say: its stuck deadline, not a later wait of another sibling,
  // is when the gate is judged again. zeta (sorting after alpha) has a last Backup asked for at 10:59 and not in the
  // view: it counts as running until 11:04, after alpha's Backup counts as stuck (11:02:10).
  const zeta = schedule({
    name: 'zeta',
    spec: siblingSpec,
    labels: GROUP,
    status: { lastBackup: 'zeta-2024-05-10t10-30-00', lastBackupTime: '2024-05-10T10:30:00Z', lastBackupCreation: { name: 'zeta-2024-05-10t10-30-00', time: '2024-05-10T10:59:00Z' } },
  });
  const held: ReadonlyArray<{ name: string; alpha: JsonObject; created: string; siblings: ReturnType<typeof schedule>[]; ready: string; resync: number }> = [
    {
      name: 'alpha without backupTimeout: still running, no deadline named',
      alpha: {},
      created: '2024-05-10T09:02:10Z',
      siblings: [],
      ready: `a scheduled Backup is due: Backup ${ALPHA_LAST} of schedule alpha in group nightly-group is still running`,
      resync: 60 * 60 - 10, // the next tick, 12:00
    },
    {
      name: "alpha's Backup stuck from 11:02:10, zeta's in flight until 11:04: alpha's deadline, not zeta's wait",
      alpha: { backupTimeout: '2h' },
      created: '2024-05-10T09:02:10Z',
      siblings: [zeta],
      ready: `a scheduled Backup is due: Backup ${ALPHA_LAST} of schedule alpha in group nightly-group is still running; it counts as stuck from 2024-05-10T11:02:10Z (the backupTimeout of schedule alpha)`,
      resync: 2 * 60,
    },
  ];
  for (const c of held) {
    it(`a running sibling holds the group until its own deadline: ${c.name}`, () => {
      const parent = schedule({ spec, labels: GROUP, status: { lastBackup: 'nightly-2024-05-10t10-00-00', lastBackupTime: '2024-05-10T10:00:00Z' } });
      const alpha = schedule({ name: 'alpha', spec: { ...siblingSpec, ...c.alpha }, labels: GROUP, status: alphaStatus(false) });
      const related = {
        'BackupSchedule.pingcap.com/v1alpha1': Object.fromEntries([alpha, parent, ...c.siblings].map((s) => [`db/${s.metadata.name}`, s])),
        'Backup.pingcap.com/v1alpha1': { [`db/${ALPHA_LAST}`]: lastOfAlpha('running', c.created) },
      };
      const answer = decide(request(parent, [backup({ slot: '2024-05-10T10:00:00Z' })], { related }), { now: NOW }).response;
      const ready = (answer.status.conditions ?? []).find((x) => x.type === 'Ready');
      assert.deepEqual({ ready: ready?.message, resync: answer.resyncAfterSeconds }, { ready: c.ready, resync: c.resync });
    });
  }
});

describe("schedule groups: every change the group's clock brings is a call-back", () => {
  const at = (hhmm: string): string => `2024-05-10T${hhmm}:00Z`;
  const grouped = (b: ReturnType<typeof backup>): ReturnType<typeof backup> => ({ ...b, metadata: { ...b.metadata, labels: { ...b.metadata?.labels, ...GROUP } } });
  /** A schedule of the group whose last Backup (complete, in the view) is `last`. */
  const member = (name: string, options: { schedule: string; last: string; spec?: JsonObject; status?: JsonObject }) => ({
    schedule: schedule({
      name,
      spec: { ...spec, schedule: options.schedule, ...options.spec },
      labels: GROUP,
      status: { lastBackup: `${name}-2024-05-10t${options.last.replace(':', '-')}-00`, lastBackupTime: at(options.last), ...options.status },
    }),
    last: grouped(backup({ schedule: name, slot: at(options.last) })),
  });
  /** nightly's answer at `now` and at the instant it asks to be called back. */
  function answers(nightly: ReturnType<typeof member>, siblings: ReadonlyArray<ReturnType<typeof member>>, now: string) {
    const related = {
      'BackupSchedule.pingcap.com/v1alpha1': Object.fromEntries([nightly, ...siblings].map((m) => [`db/${m.schedule.metadata.name}`, m.schedule])),
      'Backup.pingcap.com/v1alpha1': Object.fromEntries([nightly, ...siblings].map((m) => [`db/${m.last.metadata?.name}`, m.last])),
    };
    const req = request(nightly.schedule, [nightly.last], { related });
    const first = decide(structuredClone(req), { now: Date.parse(at(now)) }).response;
    const calledBackAt = Date.parse(at(now)) + (first.resyncAfterSeconds ?? 0) * 1000;
    const again = structuredClone(req);
    again.parent.status = first.status;
    return { first, calledBackAt: new Date(calledBackAt).toISOString(), then: decide(again, { now: calledBackAt }).response };
  }
  const ready = (answer: { status: { conditions?: Array<{ type: string; message?: string }> } }): string => String(answer.status.conditions?.find((c) => c.type === 'Ready')?.message);
  const creates = (answer: { children: Array<{ metadata: { name: string } }> }, name: string): boolean => answer.children.some((c) => c.metadata.name === name);

  it("a sibling's next tick: alpha (every 4 minutes) due 10:20 goes first until its tick at 10:24 makes its slot later than nightly's 10:21", () => {
    // Its turn would end at 10:26 (a grace after the group's last finish, 10:21); its tick changes whose turn comes first before then.
    const { first, calledBackAt, then } = answers(member('nightly', { schedule: '21 * * * *', last: '09:21' }), [member('alpha', { schedule: '*/4 * * * *', last: '10:16' })], '10:22');
    assert.match(ready(first), /schedule alpha in group nightly-group is due \(slot 2024-05-10T10:20:00Z\) and goes first/);
    assert.equal(calledBackAt, '2024-05-10T10:24:00.000Z');
    assert.ok(creates(then, 'nightly-2024-05-10t10-21-00'), ready(then));
  });

  it("a sibling's starting deadline: alpha due 10:20 with startingDeadlineSeconds 240 no longer goes first from 10:24:00.001", () => {
    const alpha = member('alpha', { schedule: '20 * * * *', last: '09:20', spec: { startingDeadlineSeconds: 240 } });
    const { first, calledBackAt, then } = answers(member('nightly', { schedule: '21 * * * *', last: '09:21' }), [alpha], '10:22');
    assert.match(ready(first), /schedule alpha in group nightly-group is due \(slot 2024-05-10T10:20:00Z\) and goes first; .* waiting until 2024-05-10T10:25:00Z/);
    assert.equal(calledBackAt, '2024-05-10T10:24:00.001Z');
    assert.ok(creates(then, 'nightly-2024-05-10t10-21-00'), ready(then));
  });

  it("the end of the first of two turns: alpha's (10:25) before beta's (10:27), when alpha, overdue, gets its extra turn", () => {
    const siblings = [member('alpha', { schedule: '20 * * * *', last: '09:20' }), member('beta', { schedule: '22 * * * *', last: '09:22' })];
    const { first, calledBackAt, then } = answers(member('nightly', { schedule: '23 * * * *', last: '09:23' }), siblings, '10:24');
    assert.match(ready(first), /schedule beta in group nightly-group is due .* waiting until 2024-05-10T10:27:00Z/);
    assert.equal(first.status['groupTurn'], undefined);
    assert.equal(calledBackAt, '2024-05-10T10:25:00.000Z');
    assert.deepEqual(then.status['groupTurn'], { schedule: 'alpha', slot: at('10:20'), seenAt: at('10:25'), order: 'slot' });
  });

  it('a paused schedule gives no sibling a turn (it starts nothing) and keeps the turn it recorded as written', () => {
    // Paused, nightly's slot would still be 10:20, after alpha's overdue 10:15: it would record alpha's extra turn.
    const recorded = { schedule: 'beta', slot: at('09:45'), seenAt: at('09:52'), order: 'slot' };
    for (const status of [{}, { groupTurn: recorded }]) {
      const nightly = member('nightly', { schedule: '*/20 * * * *', last: '10:00', spec: { pause: true }, status });
      const { first } = answers(nightly, [member('alpha', { schedule: '15 * * * *', last: '09:15' })], '10:31');
      assert.deepEqual(first.status['groupTurn'], status.groupTurn);
      assert.equal(first.resyncAfterSeconds, undefined);
    }
  });
});

/** nightly's backup-now request and the state of its own last Backup (10:00), in the call-back cases below. */
interface Nightly {
  backupNow?: string;
  ownState?: 'complete' | 'running';
  /** zeta's schedule, a sibling that sorts after nightly (its Backup of 10:00 complete), or none. */
  zeta?: string;
  /** alpha's spec.startingDeadlineSeconds, or none. */
  alphaDeadline?: number;
}

describe('schedule groups: a schedule with nothing to start is called back only at changes its answer shows', () => {
  // Between its own ticks nightly (hourly) has no slot and no backup-now waiting: whether a sibling goes first shows
  // nowhere in its answer, only the extra turn it records does. A call-back at each tick of a fast sibling that sorts
  // first (by name alone, with no slot of its own) would sync it every minute with the same answer.
  const at = (hhmm: string): string => `2024-05-10T${hhmm}:00Z`;
  const grouped = (b: ReturnType<typeof backup>): ReturnType<typeof backup> => ({ ...b, metadata: { ...b.metadata, labels: { ...b.metadata?.labels, ...GROUP } } });
  /** nightly's answers from `from` until 11:00 (its next tick), following its call-backs on an unchanged view beside alpha. */
  function callBacks(alpha: { schedule: string; last: string }, from: string, options: Nightly = {}): Array<{ at: string; ready: string; turn: unknown }> {
    const status: JsonObject = { lastBackup: 'nightly-2024-05-10t10-00-00', lastBackupTime: at('10:00') };
    if (options.backupNow !== undefined) status['backupNowRequest'] = { token: options.backupNow, seenAt: at('10:00') };
    const nightly = schedule({ spec, labels: GROUP, status, ...(options.backupNow === undefined ? {} : { annotations: { 'backup-schedule-hook/backup-now': options.backupNow } }) });
    const alphaLast = grouped(backup({ schedule: 'alpha', slot: at(alpha.last) }));
    const alphaSpec = { ...spec, schedule: alpha.schedule, ...(options.alphaDeadline === undefined ? {} : { startingDeadlineSeconds: options.alphaDeadline }) };
    const sibling = schedule({ name: 'alpha', spec: alphaSpec, labels: GROUP, status: { lastBackup: alphaLast.metadata?.name ?? '', lastBackupTime: at(alpha.last) } });
    const own = grouped(backup({ slot: at('10:00'), state: options.ownState ?? 'complete' }));
    const schedules: Record<string, KubeObject> = { 'db/nightly': nightly, 'db/alpha': sibling };
    const backups: Record<string, KubeObject> = { [`db/${own.metadata?.name}`]: own, [`db/${alphaLast.metadata?.name}`]: alphaLast };
    if (options.zeta !== undefined) {
      const zetaLast = grouped(backup({ schedule: 'zeta', slot: at('10:00') }));
      schedules['db/zeta'] = schedule({ name: 'zeta', spec: { ...spec, schedule: options.zeta }, labels: GROUP, status: { lastBackup: zetaLast.metadata?.name ?? '', lastBackupTime: at('10:00') } });
      backups[`db/${zetaLast.metadata?.name}`] = zetaLast;
    }
    const related = { 'BackupSchedule.pingcap.com/v1alpha1': schedules, 'Backup.pingcap.com/v1alpha1': backups };
    const req = request(nightly, [own], { related });
    const seen: Array<{ at: string; ready: string; turn: unknown }> = [];
    for (let now = Date.parse(`2024-05-10T${from}Z`); now < Date.parse(at('11:00')); ) {
      const answer = decide(structuredClone(req), { now }).response;
      req.parent.status = answer.status;
      const condition = (type: string): string => String(answer.status.conditions?.find((c) => c.type === type)?.message);
      seen.push({ at: new Date(now).toISOString(), ready: `${condition('Ready')}; ${condition('BackupNow')}`, turn: answer.status['groupTurn'] });
      now += (answer.resyncAfterSeconds ?? Infinity) * 1000;
    }
    return seen;
  }

  // At most: a look-ahead of 16 judgements per sync calls back at most every 16 of alpha's ticks (and at its own tick).
  const quiet: Array<{ title: string; alpha: { schedule: string; last: string }; nightly?: Nightly; backupNow?: string; most?: number }> = [
    { title: 'alpha every minute, its Backup of 10:20 complete', alpha: { schedule: '* * * * *', last: '10:20' } },
    { title: 'alpha every 3 minutes, its Backups never showing after 09:00 (due at each tick, never past its turn)', alpha: { schedule: '*/3 * * * *', last: '09:00' } },
    {
      title: "alpha every minute; a backup-now request waits for nightly's own Backup, still running (whether the group lets it start does not show)",
      alpha: { schedule: '* * * * *', last: '10:20' },
      nightly: { backupNow: 'now1', ownState: 'running' },
      backupNow: 'backup-now Backup nightly-manual-now1 (token now1) waits: the Backup before it must finish first (a due tick goes first)',
    },
    {
      title: 'alpha every minute, due at each tick and going first by name; a backup-now request waits for the group (closed at every tick of alpha)',
      alpha: { schedule: '* * * * *', last: '10:20' },
      nightly: { backupNow: 'now1' },
      backupNow: 'backup-now Backup nightly-manual-now1 (token now1) waits: the Backup before it must finish first (a due tick goes first)',
      // The end of alpha's turn, 5 minutes after each of its slots: the gate could open there (and alpha's tick keeps it closed).
      most: 7,
    },
  ];
  for (const c of quiet) {
    it(`${c.title}: the same answer throughout, and not a call-back at each of alpha's ticks`, () => {
      const seen = callBacks(c.alpha, c.nightly?.backupNow === undefined ? '10:20:30' : '10:26:30', c.nightly);
      assert.deepEqual(new Set(seen.map((s) => `${s.ready} ${JSON.stringify(s.turn)}`)), new Set([`next Backup at ${at('11:00')}; ${c.backupNow ?? 'undefined'} undefined`]));
      assert.ok(seen.length <= (c.most ?? 4), seen.map((s) => s.at).join(', '));
    });
  }

  it("alpha every minute: a sync judges the group at 16 instants ahead at most, so the call-backs fall 16 of alpha's ticks apart", () => {
    const seen = callBacks({ schedule: '* * * * *', last: '10:20' }, '10:20:30');
    assert.deepEqual(seen.map((s) => s.at.slice(11, 19)), ['10:20:30', '10:36:00', '10:52:00']);
  });

  it("alpha every 3 minutes (its ticks and the ends of its turns judged, 16 at most), zeta's tick at 10:31 not: zeta sorts after nightly and never goes first", () => {
    for (const zeta of [undefined, '31 * * * *']) {
      const seen = callBacks({ schedule: '*/3 * * * *', last: '10:18' }, '10:20:30', zeta === undefined ? {} : { zeta });
      assert.deepEqual(seen.map((s) => s.at.slice(11, 19)), ['10:20:30', '10:45:00'], `zeta: ${zeta}`);
    }
  });

  it("a backup-now request waiting for the group (alpha's turn, then its extra turn) is called back when the group opens, and starts then", () => {
    const seen = callBacks({ schedule: '20 * * * *', last: '09:20' }, '10:21:00', { backupNow: 'now1' });
    assert.deepEqual(
      seen.map((s) => `${s.at.slice(11, 19)} ${s.ready.includes('nightly-manual-now1 has not finished') ? 'started' : 'waits'}`),
      ['10:21:00 waits', '10:25:00 waits', '10:30:00 started'],
    );
  });

  it("a backup-now request waiting for alpha's turn is called back when alpha's slot is missed by its starting deadline, before its turn would end", () => {
    // alpha's 10:20 slot never shows; with a 60 s deadline it is missed from 10:21:00.001, and its turn (until 10:25) ends then.
    const seen = callBacks({ schedule: '20 * * * *', last: '09:20' }, '10:20:30', { backupNow: 'now1', alphaDeadline: 60 });
    assert.deepEqual(
      seen.map((s) => `${s.at.slice(11, 23)} ${s.ready.includes('nightly-manual-now1 has not finished') ? 'started' : 'waits'}`),
      ['10:20:30.000 waits', '10:21:00.001 started'],
    );
  });

  it("alpha every 10 minutes, its Backups never showing: each extra turn nightly records and drops (past alpha's turn, then at its next tick) is a call-back", () => {
    const seen = callBacks({ schedule: '*/10 * * * *', last: '09:00' }, '10:20:30');
    const turns = seen.map((s) => JSON.stringify(s.turn ?? null));
    assert.deepEqual(
      seen.map((s) => s.at.slice(11, 19)),
      ['10:20:30', '10:25:00', '10:30:00', '10:35:00', '10:40:00', '10:45:00', '10:50:00', '10:55:00'],
    );
    for (let i = 1; i < turns.length; i++) assert.notEqual(turns[i], turns[i - 1], `${seen[i]?.at}: ${turns[i]}`);
  });
});

describe('schedule groups: only instants at which the answer changes are call-backs (mutation audit of the call-back search)', () => {
  // nightly (hourly, its last Backup 10:00) beside siblings on other schedules; the Backups named are complete unless said.
  const at = (hhmm: string): string => `2024-05-10T${hhmm}:00Z`;
  const grouped = (b: ReturnType<typeof backup>): ReturnType<typeof backup> => ({ ...b, metadata: { ...b.metadata, labels: { ...b.metadata?.labels, ...GROUP } } });
  /** A sibling whose Backup of `last` is in the view; its status may name a later one, asked for at `askedAt`, that is not. */
  const member = (name: string, options: { schedule: string; last: string; inFlight?: { slot: string; askedAt: string } }) => {
    const last = grouped(backup({ schedule: name, slot: at(options.last) }));
    const named = options.inFlight === undefined ? options.last : options.inFlight.slot;
    const status: JsonObject = { lastBackup: `${name}-2024-05-10t${named.replace(':', '-')}-00`, lastBackupTime: at(named) };
    if (options.inFlight !== undefined) status['lastBackupCreation'] = { name: status['lastBackup'] as string, time: at(options.inFlight.askedAt) };
    return { schedule: schedule({ name, spec: { ...spec, schedule: options.schedule }, labels: GROUP, status }), last };
  };
  /** nightly's answer at `now`: its Ready message and the instant it asks to be called back. */
  function answerAt(now: string, siblings: ReadonlyArray<ReturnType<typeof member>>, nightlyLast = '10:00') {
    const parent = schedule({ spec, labels: GROUP, status: { lastBackup: `nightly-2024-05-10t${nightlyLast.replace(':', '-')}-00`, lastBackupTime: at(nightlyLast) } });
    const own = grouped(backup({ slot: at(nightlyLast) }));
    const related = {
      'BackupSchedule.pingcap.com/v1alpha1': Object.fromEntries([parent, ...siblings.map((s) => s.schedule)].map((s) => [`db/${s.metadata.name}`, s])),
      'Backup.pingcap.com/v1alpha1': Object.fromEntries([own, ...siblings.map((s) => s.last)].map((b) => [`db/${b.metadata?.name}`, b])),
    };
    const answer = decide(request(parent, [own], { related }), { now: Date.parse(at(now)) }).response;
    const ready = String((answer.status.conditions ?? []).find((x) => x.type === 'Ready')?.message);
    const calledBackAt = answer.resyncAfterSeconds === undefined ? null : new Date(Date.parse(at(now)) + answer.resyncAfterSeconds * 1000).toISOString();
    return { ready, calledBackAt, creates: answer.children.some((c) => c.metadata.name === 'nightly-2024-05-10t11-00-00'), turn: answer.status['groupTurn'] };
  }
  const cases: ReadonlyArray<{ name: string; now: string; siblings: ReadonlyArray<ReturnType<typeof member>>; ready: RegExp; creates?: boolean; turn?: JsonObject; calledBackAt: string | null }> = [
    {
      name: "due, the group open: beta's Backup that finished ahead of the clock becomes believed at 11:05 and changes nothing: nightly starts and is called back at its next tick",
      now: '11:04',
      siblings: [member('beta', { schedule: '30 * * * *', last: '11:05' })],
      ready: /^next Backup at 2024-05-10T12:00:00Z$/,
      creates: true,
      calledBackAt: '2024-05-10T12:00:00.000Z',
    },
    {
      name: "due, waiting for zeta's last Backup asked for exactly a grace ahead of the clock (11:09): called back when that wait ends, not now",
      now: '11:04',
      siblings: [member('zeta', { schedule: '0 * * * *', last: '10:00', inFlight: { slot: '11:00', askedAt: '11:09' } })],
      ready: /Backup zeta-2024-05-10t11-00-00 of schedule zeta in group nightly-group is not in the view yet; it counts as running until 2024-05-10T11:14:00Z/,
      calledBackAt: '2024-05-10T11:14:00.000Z',
    },
    {
      name: "due, waiting for zeta's last Backup (until 11:07); beta's Backup that finished ahead of the clock becomes believed at 11:05 and changes nothing: 11:07",
      now: '11:04',
      siblings: [
        member('zeta', { schedule: '0 * * * *', last: '10:00', inFlight: { slot: '11:00', askedAt: '11:02' } }),
        member('beta', { schedule: '30 * * * *', last: '11:05' }),
      ],
      ready: /Backup zeta-2024-05-10t11-00-00 of schedule zeta in group nightly-group is not in the view yet; it counts as running until 2024-05-10T11:07:00Z/,
      calledBackAt: '2024-05-10T11:07:00.000Z',
    },
    {
      name: "due, alpha (first by name) overdue for 11:00 gets its extra turn (seen 11:08, until 11:13), within zeta's wait (until 11:14): the turn held past 11:13 is no change, 11:14 is",
      now: '11:08',
      siblings: [
        member('alpha', { schedule: '0 * * * *', last: '10:00' }),
        member('zeta', { schedule: '0 * * * *', last: '10:00', inFlight: { slot: '11:00', askedAt: '11:09' } }),
      ],
      ready: /Backup zeta-2024-05-10t11-00-00 of schedule zeta in group nightly-group is not in the view yet; it counts as running until 2024-05-10T11:14:00Z/,
      turn: { schedule: 'alpha', slot: at('11:00'), seenAt: at('11:08'), order: 'slot' },
      calledBackAt: '2024-05-10T11:14:00.000Z',
    },
    {
      name: "nothing to start (its next tick 11:00): zeta's last Backup in flight until 10:26 holds nothing the answer shows, and is no call-back",
      now: '10:22',
      siblings: [member('zeta', { schedule: '20 * * * *', last: '09:20', inFlight: { slot: '10:20', askedAt: '10:21' } })],
      ready: /^next Backup at 2024-05-10T11:00:00Z$/,
      calledBackAt: '2024-05-10T11:00:00.000Z',
    },
  ];
  // nightly's own Backups of 09:00 and 10:00 both running: its own gates speak first, and zeta's wait (until 11:07) shows nowhere.
  const ownGates: ReadonlyArray<{ name: string; backupTimeout: string; ready: RegExp; calledBackAt: string }> = [
    {
      name: 'both stuck past its backupTimeout (10m): they close it whatever the group says; called back at its next tick',
      backupTimeout: '10m',
      ready: /have not finished within spec\.backupTimeout; no new Backup starts/,
      calledBackAt: '2024-05-10T12:00:00.000Z',
    },
    {
      name: 'the 09:00 one stuck (90m), its last (10:00) still running: the last speaks; called back when it counts as stuck',
      backupTimeout: '90m',
      ready: /waiting for Backup nightly-2024-05-10t10-00-00 to finish/,
      calledBackAt: '2024-05-10T11:30:02.000Z',
    },
  ];
  for (const c of ownGates) {
    it(`due, its own Backups running, ${c.name}: zeta's wait is no call-back`, () => {
      const parent = schedule({ spec: { ...spec, backupTimeout: c.backupTimeout }, labels: GROUP, status: { lastBackup: 'nightly-2024-05-10t10-00-00', lastBackupTime: at('10:00') } });
      const own = [backup({ slot: at('09:00'), state: 'running' }), backup({ slot: at('10:00'), state: 'running' })].map(grouped);
      const zeta = member('zeta', { schedule: '0 * * * *', last: '10:00', inFlight: { slot: '11:00', askedAt: '11:02' } });
      const related = {
        'BackupSchedule.pingcap.com/v1alpha1': { 'db/nightly': parent, 'db/zeta': zeta.schedule },
        'Backup.pingcap.com/v1alpha1': Object.fromEntries([...own, zeta.last].map((b) => [`db/${b.metadata?.name}`, b])),
      };
      const answer = decide(request(parent, own, { related }), { now: Date.parse(at('11:04')) }).response;
      assert.match(String((answer.status.conditions ?? []).find((x) => x.type === 'Ready')?.message), c.ready);
      assert.equal(new Date(Date.parse(at('11:04')) + (answer.resyncAfterSeconds ?? 0) * 1000).toISOString(), c.calledBackAt);
    });
  }

  it("its last Backup (11:00) asked for at 11:00 and missing from the view may be asked for again until 11:02:30 once the group opens: called back at 11:01, when zeta's wait ends, and asks again then", () => {
    const status = { lastBackup: 'nightly-2024-05-10t11-00-00', lastBackupTime: at('11:00'), lastBackupCreation: { name: 'nightly-2024-05-10t11-00-00', time: at('11:00') } };
    const parent = schedule({ spec, labels: GROUP, status });
    const own = grouped(backup({ slot: at('10:00') }));
    const zeta = member('zeta', { schedule: '0 * * * *', last: '10:00', inFlight: { slot: '11:00', askedAt: '10:56' } });
    const related = {
      'BackupSchedule.pingcap.com/v1alpha1': { 'db/nightly': parent, 'db/zeta': zeta.schedule },
      'Backup.pingcap.com/v1alpha1': Object.fromEntries([own, zeta.last].map((b) => [`db/${b.metadata?.name}`, b])),
    };
    const req = request(parent, [own], { related });
    const now = Date.parse('2024-05-10T11:00:30Z');
    const first = decide(structuredClone(req), { now }).response;
    const calledBackAt = now + (first.resyncAfterSeconds ?? 0) * 1000;
    const again = structuredClone(req);
    again.parent.status = first.status;
    const then = decide(again, { now: calledBackAt }).response;
    const asks = (answer: typeof first): boolean => answer.children.some((c) => c.metadata.name === 'nightly-2024-05-10t11-00-00');
    assert.deepEqual(
      { asksAtFirst: asks(first), calledBackAt: new Date(calledBackAt).toISOString(), asksThen: asks(then) },
      { asksAtFirst: false, calledBackAt: '2024-05-10T11:01:00.000Z', asksThen: true },
    );
  });

  for (const c of cases) {
    it(c.name, () => {
      const answer = answerAt(c.now, c.siblings);
      assert.match(answer.ready, c.ready);
      assert.equal(answer.creates, c.creates ?? false);
      assert.deepEqual(answer.turn, c.turn);
      assert.equal(answer.calledBackAt, c.calledBackAt);
    });
  }
});
