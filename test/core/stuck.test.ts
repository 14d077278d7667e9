import assert from 'node:assert/strict';

import type { Gate } from '../../src/core/gate.js';
import { observeChildren } from '../../src/core/observe.js';
import type { ObservedBackup, SnapshotBackup } from '../../src/core/observe.js';
import { decide } from '../../src/core/sync.js';
import { backupStuckFinding, deletionStuckFinding, findDeletionStuck, findStuck, passStuck, stuckFrom } from '../../src/core/stuck.js';
import { BR_TEMPLATE, backup, request, schedule } from '../support/objects.js';
import type { TestState } from '../support/objects.js';
import type { JsonObject } from '../../src/core/types.js';

const HOUR = 3_600_000;
const at = (hhmm: string): string => `2024-05-01T${hhmm}:00Z`;

/** Backups by slot (created 2 s after it) and state; `deleting` gives a deletionTimestamp. */
function observed(list: ReadonlyArray<readonly [string, TestState, string?]>): ObservedBackup[] {
  const map = Object.fromEntries(list.map(([hhmm, state, deleting]) => [`db/${hhmm}`, backup({ slot: at(hhmm), state, ...(deleting ? { deleting: at(deleting) } : {}) })]));
  return observeChildren(schedule(), { 'Backup.pingcap.com/v1alpha1': map }).backups;
}
const snapshots = (list: ReadonlyArray<readonly [string, TestState, string?]>): SnapshotBackup[] =>
  observed(list).filter((b): b is SnapshotBackup => b.role === 'snapshot');
const name = (hhmm: string): string => `nightly-2024-05-01t${hhmm.replace(':', '-')}-00`;
const closedBy = (blocker: string | null): Gate => ({ open: false, message: `waiting for ${blocker ?? 'a Backup not in the view'}`, until: null, blocker });

describe('findStuck', () => {
  const cases: ReadonlyArray<{ name: string; list: ReadonlyArray<readonly [string, TestState, string?]>; timeoutMs: number | null; now: string; stuck: string[]; next: number | null }> = [
    { name: 'no timeout: nothing is ever stuck', list: [['00:00', 'running']], timeoutMs: null, now: at('23:00'), stuck: [], next: null },
    { name: 'unfinished longer than the timeout since creation is stuck', list: [['00:00', 'running'], ['01:00', 'scheduled'], ['01:30', 'new']], timeoutMs: HOUR, now: '2024-05-01T02:00:02Z', stuck: ['00:00', '01:00'], next: Date.parse('2024-05-01T02:30:02Z') },
    { name: 'finished Backups are never stuck', list: [['00:00', 'complete'], ['00:10', 'failed'], ['00:20', 'invalid']], timeoutMs: HOUR, now: at('23:00'), stuck: [], next: null },
    { name: 'a Backup being deleted is not stuck running', list: [['00:00', 'running', '00:30']], timeoutMs: HOUR, now: at('23:00'), stuck: [], next: null },
    { name: 'exactly at the deadline it is stuck', list: [['00:00', 'running']], timeoutMs: HOUR - 2000, now: at('01:00'), stuck: ['00:00'], next: null },
    { name: 'a second before the deadline it is not', list: [['00:00', 'running']], timeoutMs: HOUR - 1000, now: at('01:00'), stuck: [], next: Date.parse('2024-05-01T01:00:01Z') },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const report = findStuck(snapshots(c.list), { now: Date.parse(c.now), timeoutMs: c.timeoutMs });
      assert.deepEqual(report.stuck.map((b) => b.name), c.stuck.map(name));
      assert.equal(report.nextDeadline, c.next);
    });
  }
});

describe('findStuck order', () => {
  it('lists stuck Backups oldest first, by name among those created at the same instant, whatever order they come in', () => {
    // Named, slotted and created as listed (catch-up and backup-now Backups are created out of name order).
    const created: ReadonlyArray<readonly [string, string]> = [['d', '00:40'], ['c', '00:30'], ['a', '00:00'], ['e', '00:30'], ['b', '00:30']];
    const list = created.map(([n, hhmm]) => backup({ slot: at(hhmm), name: `nightly-${n}`, created: at(hhmm), state: 'running' }));
    const given = list.map((b, i) => ({ role: 'snapshot' as const, name: b.metadata?.name ?? '', object: b, deleting: false, commitTso: null, slot: i, state: 'unfinished' as const, ageAt: i }));
    assert.deepEqual(findStuck(given, { now: Date.parse(at('23:00')), timeoutMs: HOUR }).stuck.map((b) => b.name), ['a', 'b', 'c', 'e', 'd'].map((n) => `nightly-${n}`));
  });
});

describe('passStuck', () => {
  const one = { stuck: [{ name: name('00:00'), since: 0 }], nextDeadline: null };
  const two = { stuck: [{ name: name('00:00'), since: 0 }, { name: name('01:00'), since: 1 }], nextDeadline: null };
  const none = { stuck: [], nextDeadline: null };
  it('opens a gate closed by the one stuck Backup', () => assert.deepEqual(passStuck([closedBy(name('00:00')), { open: true }], one), { open: true }));
  it('keeps a gate closed by a Backup that is not stuck', () => assert.deepEqual(passStuck([closedBy(name('02:00'))], one), closedBy(name('02:00'))));
  it('keeps a gate closed by a Backup missing from the view (the stale-view grace decides)', () => assert.deepEqual(passStuck([closedBy(null)], one), closedBy(null)));
  it('the first closed gate wins', () => assert.deepEqual(passStuck([{ open: true }, closedBy('x'), closedBy('y')], none), closedBy('x')));
  it('two stuck Backups close the gate whatever the others say, naming both', () => {
    const gate = passStuck([{ open: true }], two);
    assert.equal(gate.open, false);
    if (!gate.open) assert.match(gate.message, /^Backups nightly-2024-05-01t00-00-00 and nightly-2024-05-01t01-00-00 have not finished within spec.backupTimeout/);
  });
});

describe('stuck findings', () => {
  it('names one stuck Backup, its creation and the timeout', () => {
    assert.deepEqual(backupStuckFinding({ stuck: [{ name: 'b1', since: Date.parse(at('00:00')) }], nextDeadline: null }, '1h'), {
      reason: 'BackupTimedOut',
      message: 'Backup b1 (created 2024-05-01T00:00:00Z) has not finished within spec.backupTimeout 1h; the schedule no longer waits for it and keeps it for inspection: check its Job and pod, then delete it',
    });
  });
  it('names at most five and counts the rest', () => {
    const stuck = Array.from({ length: 7 }, (_, i) => ({ name: `b${i}`, since: Date.parse(at('00:00')) }));
    assert.match(backupStuckFinding({ stuck, nextDeadline: null }, '1h')?.message ?? '', /^Backups b0 \(created .*\), .* b4 \(created 2024-05-01T00:00:00Z\) and 2 more have not finished/);
  });
  it('has no finding when nothing is stuck', () => assert.equal(backupStuckFinding({ stuck: [], nextDeadline: null }, '1h'), null));
  it('names three as "a, b and c"', () => {
    const stuck = ['b0', 'b1', 'b2'].map((n) => ({ name: n, since: Date.parse(at('00:00')) }));
    assert.match(backupStuckFinding({ stuck, nextDeadline: null }, '1h')?.message ?? '', /^Backups b0 \(created [^)]*\), b1 \(created [^)]*\) and b2 \(created [^)]*\) have not finished/);
  });
  it('speaks of two deletions in the plural', () => {
    const stuck = ['b0', 'b1'].map((n) => ({ name: n, since: Date.parse(at('00:00')) }));
    assert.match(deletionStuckFinding({ stuck, nextDeadline: null }, HOUR)?.message ?? '', /^Backups b0 \(since [^)]*\) and b1 \(since [^)]*\) have been deleting for more than 60m: check their clean Jobs and pods/);
  });
});

describe('findDeletionStuck', () => {
  it('never judges a Backup whose deletionTimestamp cannot be read', () => {
    const unreadable = observed([['00:00', 'complete', '00:30']]).map((b) => ({ ...b, object: { ...b.object, metadata: { ...b.object.metadata, deletionTimestamp: 'soon' } } }));
    assert.deepEqual(findDeletionStuck(unreadable, { now: Date.parse(at('23:00')), afterMs: HOUR }), { stuck: [], nextDeadline: null });
  });
  it('reports Backups still present an hour after their deletionTimestamp, and when the next one would be', () => {
    const report = findDeletionStuck(observed([['00:00', 'complete', '00:30'], ['01:00', 'failed', '01:10'], ['02:00', 'complete']]), { now: Date.parse(at('01:40')), afterMs: HOUR });
    assert.deepEqual(report.stuck.map((b) => b.name), [name('00:00')]);
    assert.equal(report.nextDeadline, Date.parse(at('02:10')));
    assert.equal(deletionStuckFinding(report, HOUR)?.reason, 'DeletionNotFinished');
    assert.match(deletionStuckFinding(report, HOUR)?.message ?? '', /^Backup nightly-2024-05-01t00-00-00 \(since 2024-05-01T00:30:00Z\) has been deleting for more than 60m: check its clean Job/);
  });
});

describe('the stuck rule in a sync', () => {
  // backupTimeout 25m at 00:31: the 00:00 Backup (created 00:00:02) is stuck, the 00:10 one (created 00:10:02) is not.
  const parent = schedule({
    spec: { schedule: '*/10 * * * *', backupTemplate: BR_TEMPLATE, backupTimeout: '25m' },
    status: { lastBackup: name('00:20'), lastBackupTime: at('00:20') },
  });
  const cases: ReadonlyArray<{ name: string; running: string[]; created: string | null }> = [
    { name: 'passes one stuck Backup that is not the last', running: ['00:00'], created: name('00:30') },
    { name: 'never passes another Backup still running beside the stuck one', running: ['00:00', '00:10'], created: null },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const children = [...c.running.map((hhmm) => backup({ slot: at(hhmm), state: 'running' })), backup({ slot: at('00:20') })];
      assert.equal(decide(request(parent, children), { now: Date.parse(at('00:31')) }).report.created, c.created);
    });
  }
});

describe('stuck conditions resolved in a sync', () => {
  // Each condition was True; at 00:31 nothing runs past the timeout and nothing is being deleted.
  const was = (type: string, reason: string): JsonObject => ({ type, status: 'True', reason, message: 'm', lastTransitionTime: at('00:00') });
  const cases: ReadonlyArray<{ type: string; reason: string; says: string }> = [
    { type: 'BackupStuck', reason: 'BackupTimedOut', says: 'no Backup runs longer than spec.backupTimeout' },
    { type: 'DeletionStuck', reason: 'DeletionNotFinished', says: 'every deletion finished in time' },
  ];
  for (const c of cases) {
    it(`${c.type} turns False with reason NoneStuck`, () => {
      const parent = schedule({
        spec: { schedule: '*/10 * * * *', backupTemplate: BR_TEMPLATE, backupTimeout: '25m' },
        status: { lastBackup: name('00:20'), lastBackupTime: at('00:20'), conditions: [was(c.type, c.reason)] },
      });
      const { status } = decide(request(parent, [backup({ slot: at('00:20') })]), { now: Date.parse(at('00:31')) }).response;
      const conditions = Array.isArray(status['conditions']) ? (status['conditions'] as JsonObject[]) : [];
      const found = conditions.find((x) => x['type'] === c.type);
      assert.deepEqual([found?.['status'], found?.['reason'], found?.['message']], ['False', 'NoneStuck', c.says]);
    });
  }
});

describe('findStuck: when the next Backup becomes stuck', () => {
  it('is the earliest pending deadline, whatever order the Backups come in', () => {
    // Created 00:40, 00:10 and 00:30 with a 1h timeout: at 01:00 none is stuck; 00:10's deadline (01:10) comes first.
    const list = ['00:40', '00:10', '00:30'].map((hhmm) => backup({ slot: at(hhmm), name: `nightly-${hhmm}`, created: at(hhmm), state: 'running' }));
    const given = list.map((b, i) => ({ role: 'snapshot' as const, name: b.metadata?.name ?? '', object: b, deleting: false, commitTso: null, slot: i, state: 'unfinished' as const, ageAt: i }));
    assert.deepEqual(findStuck(given, { now: Date.parse(at('01:00')), timeoutMs: HOUR }), { stuck: [], nextDeadline: Date.parse(at('01:10')) });
  });
});

describe('stuck findings, in full', () => {
  it('names two stuck Backups, their creation and the timeout, and says no Backup starts', () => {
    const stuck = [{ name: 'b0', since: Date.parse(at('00:00')) }, { name: 'b1', since: Date.parse(at('00:10')) }];
    assert.deepEqual(backupStuckFinding({ stuck, nextDeadline: null }, '1h'), {
      reason: 'TooManyStuckBackups',
      message:
        'Backups b0 (created 2024-05-01T00:00:00Z) and b1 (created 2024-05-01T00:10:00Z) have not finished within spec.backupTimeout 1h; ' +
        'no new Backup starts until one of them finishes or is deleted: check their Jobs and pods',
    });
  });
});

describe('DeletionStuck in a sync, by default after an hour', () => {
  const parent = schedule({ spec: { schedule: '*/10 * * * *', backupTemplate: BR_TEMPLATE }, status: { lastBackup: name('00:20'), lastBackupTime: at('00:20') } });
  const cases: ReadonlyArray<{ now: string; status: string }> = [
    { now: '00:29', status: 'False' },
    { now: '01:25', status: 'True' },
  ];
  for (const c of cases) {
    it(`a Backup deleting since 00:25 is ${c.status === 'True' ? '' : 'not '}reported at ${c.now}`, () => {
      const children = [backup({ slot: at('00:00'), deleting: at('00:25') }), backup({ slot: at('00:20') })];
      const { status } = decide(request(parent, children), { now: Date.parse(at(c.now)) }).response;
      const conditions = Array.isArray(status['conditions']) ? (status['conditions'] as JsonObject[]) : [];
      const found = conditions.find((x) => x['type'] === 'DeletionStuck');
      assert.equal(found?.['status'] ?? 'False', c.status);
    });
  }
});

describe('stuckFrom: when an unfinished Backup counts as stuck', () => {
  const HOUR = 3_600_000;
  const created = (creationTimestamp: unknown): JsonObject => ({ apiVersion: 'pingcap.com/v1alpha1', kind: 'Backup', metadata: { name: 'b', creationTimestamp } });
  const cases: ReadonlyArray<{ name: string; backup: JsonObject; timeoutMs: number | null; want: number | null }> = [
    { name: 'its creation plus the timeout', backup: created('2024-05-01T00:10:00Z'), timeoutMs: HOUR, want: Date.parse('2024-05-01T01:10:00Z') },
    { name: 'no timeout: never', backup: created('2024-05-01T00:10:00Z'), timeoutMs: null, want: null },
    { name: 'no creationTimestamp: never', backup: { apiVersion: 'pingcap.com/v1alpha1', kind: 'Backup', metadata: { name: 'b' } }, timeoutMs: HOUR, want: null },
    { name: 'an unreadable creationTimestamp: never', backup: created('yesterday'), timeoutMs: HOUR, want: null },
    { name: 'no metadata: never', backup: { apiVersion: 'pingcap.com/v1alpha1', kind: 'Backup' }, timeoutMs: HOUR, want: null },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(stuckFrom(c.backup, c.timeoutMs), c.want));
  }
});
