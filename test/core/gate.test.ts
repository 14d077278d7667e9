import assert from 'node:assert/strict';

import { decideGate, decideRunningGate, inFlightUntil } from '../../src/core/gate.js';
import { lastBackupOf } from '../../src/core/last-backup.js';
import { observeChildren } from '../../src/core/observe.js';
import type { ObservedBackup, SnapshotBackup } from '../../src/core/observe.js';
import { parseSchedule } from '../../src/core/schedule.js';
import type { Schedule } from '../../src/core/schedule.js';
import type { KubeObject } from '../../src/core/types.js';
import { backup, schedule } from '../support/objects.js';

const parent = schedule();
const every10 = ((): Schedule => {
  const parsed = parseSchedule('*/10 * * * *');
  assert.ok(parsed.ok);
  return parsed.schedule;
})();
const GRACE = 5 * 60_000;

/** unreadable gives a Backup a slot annotation the hook cannot read, so it is observed as not the schedule's. */
function unreadable(child: KubeObject): KubeObject {
  child.metadata!.annotations!['backup-schedule-hook/scheduled-at'] = 'yesterday';
  return child;
}

function observe(children: KubeObject[]): ObservedBackup[] {
  return observeChildren(parent, { 'Backup.pingcap.com/v1alpha1': Object.fromEntries(children.map((c) => [`db/${c.metadata?.name}`, c])) }).backups;
}

describe('lastBackupOf', () => {
  const snapshotsOf = (children: KubeObject[]): SnapshotBackup[] => observe(children).filter((b): b is SnapshotBackup => b.role === 'snapshot');

  it('advances a stale status to the newest observed slot', () => {
    const last = lastBackupOf({ lastBackup: 'nightly-2024-05-01t00-10-00', lastBackupTime: '2024-05-01T00:10:00Z' }, snapshotsOf([backup({ slot: '2024-05-01T00:20:00Z' })]));
    assert.deepEqual(last, { name: 'nightly-2024-05-01t00-20-00', time: Date.parse('2024-05-01T00:20:00Z'), createdAt: Date.parse('2024-05-01T00:20:02Z') });
  });
  it('never moves back when the newest Backup is missing from the view', () => {
    const last = lastBackupOf({ lastBackup: 'nightly-2024-05-01t00-20-00', lastBackupTime: '2024-05-01T00:20:00Z' }, snapshotsOf([backup({ slot: '2024-05-01T00:10:00Z' })]));
    assert.equal(last.name, 'nightly-2024-05-01t00-20-00');
  });
  it('reads an empty status as no last Backup', () => {
    assert.deepEqual(lastBackupOf({}, []), { name: null, time: null, createdAt: null });
  });
  it('ignores Backups of other schedules', () => {
    assert.deepEqual(lastBackupOf({}, snapshotsOf([backup({ slot: '2024-05-01T00:20:00Z', schedule: 'weekly' })])), { name: null, time: null, createdAt: null });
  });
  it('reads an empty recorded name as no last Backup, keeping its time', () => {
    assert.deepEqual(lastBackupOf({ lastBackup: '', lastBackupTime: '2024-05-01T00:10:00Z' }, []), { name: null, time: Date.parse('2024-05-01T00:10:00Z'), createdAt: null });
  });
  it('advances to the newest slot, not to the greatest name', () => {
    const last = lastBackupOf({ lastBackup: 'nightly-2024-05-01t00-10-00', lastBackupTime: '2024-05-01T00:10:00Z' }, snapshotsOf([backup({ slot: '2024-05-01T00:30:00Z', name: 'adhoc' }), backup({ slot: '2024-05-01T00:20:00Z' })]));
    assert.equal(last.name, 'adhoc');
  });
  it('breaks a tie of slots by the greater name, whatever the order given', () => {
    const tied = snapshotsOf([backup({ slot: '2024-05-01T00:20:00Z', name: 'tie-a' }), backup({ slot: '2024-05-01T00:20:00Z', name: 'tie-b' })]);
    for (const order of [tied, [...tied].reverse()]) assert.equal(lastBackupOf({}, order).name, 'tie-b');
  });
  it('reads the creation of the recorded last Backup itself, whatever order the Backups come in', () => {
    const status = { lastBackup: 'nightly-2024-05-01t00-20-00', lastBackupTime: '2024-05-01T00:20:00Z' };
    const seen = snapshotsOf([backup({ slot: '2024-05-01T00:20:00Z' }), backup({ slot: '2024-05-01T00:10:00Z' })]);
    for (const order of [seen, [...seen].reverse()]) assert.equal(lastBackupOf(status, order).createdAt, Date.parse('2024-05-01T00:20:02Z'));
  });
  it('reads no creation without a last Backup, whatever a nameless record says', () => {
    const status = { lastBackupTime: '2024-05-01T00:20:00Z', lastBackupCreation: { name: null, time: '2024-05-01T00:20:03Z' } };
    assert.deepEqual(lastBackupOf(status, []), { name: null, time: Date.parse('2024-05-01T00:20:00Z'), createdAt: null });
  });
  describe('when the last Backup was asked for', () => {
    const status = { lastBackup: 'nightly-2024-05-01t00-20-00', lastBackupTime: '2024-05-01T00:20:00Z' };
    const cases: ReadonlyArray<{ name: string; recorded?: unknown; children: KubeObject[]; createdAt: string | null }> = [
      { name: 'as status.lastBackupCreation records it', recorded: { name: status.lastBackup, time: '2024-05-01T00:20:03Z' }, children: [backup({ slot: '2024-05-01T00:20:00Z', created: '2024-05-01T00:20:09Z' })], createdAt: '2024-05-01T00:20:03Z' },
      { name: 'from the observed creationTimestamp when the status does not record it', children: [backup({ slot: '2024-05-01T00:20:00Z', created: '2024-05-01T00:20:09Z' })], createdAt: '2024-05-01T00:20:09Z' },
      { name: 'never from a record that names another Backup', recorded: { name: 'nightly-2024-05-01t00-10-00', time: '2024-05-01T00:10:03Z' }, children: [], createdAt: null },
      { name: 'never from an unreadable record', recorded: { name: status.lastBackup, time: 'soon' }, children: [], createdAt: null },
      { name: 'unknown when missing and unrecorded', children: [], createdAt: null },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const recorded = c.recorded === undefined ? {} : { lastBackupCreation: c.recorded };
        const last = lastBackupOf({ ...status, ...recorded }, snapshotsOf(c.children));
        assert.equal(last.createdAt, c.createdAt === null ? null : Date.parse(c.createdAt));
      });
    }
  });
});

describe('decideGate', () => {
  const LAST = { name: 'nightly-2024-05-01t00-10-00', time: Date.parse('2024-05-01T00:10:00Z') };
  const cases: ReadonlyArray<{ name: string; children: KubeObject[]; createdAt?: string; now: string; open: boolean; until?: string }> = [
    { name: 'opens after Complete', children: [backup({ slot: '2024-05-01T00:10:00Z', state: 'complete' })], now: '2024-05-01T00:21:00Z', open: true },
    { name: 'opens after Failed (without Scheduled, unlike upstream)', children: [backup({ slot: '2024-05-01T00:10:00Z', state: 'failed' })], now: '2024-05-01T00:21:00Z', open: true },
    { name: 'opens after Invalid', children: [backup({ slot: '2024-05-01T00:10:00Z', state: 'invalid' })], now: '2024-05-01T00:21:00Z', open: true },
    { name: 'stays closed while Running', children: [backup({ slot: '2024-05-01T00:10:00Z', state: 'running' })], now: '2024-05-01T03:00:00Z', open: false },
    {
      name: 'judges conditions, not phase (phase Complete without the condition is not finished)',
      children: [backup({ slot: '2024-05-01T00:10:00Z', state: 'running', extraStatus: { phase: 'Complete' } })],
      now: '2024-05-01T00:21:00Z',
      open: false,
    },
    { name: 'opens when the last Backup is being deleted', children: [backup({ slot: '2024-05-01T00:10:00Z', state: 'running', deleting: '2024-05-01T00:12:00Z' })], now: '2024-05-01T00:21:00Z', open: true },
    { name: 'a missing last Backup is in flight until the next tick plus the grace', children: [], now: '2024-05-01T00:24:59Z', open: false, until: '2024-05-01T00:25:00Z' },
    { name: 'a missing last Backup is gone once the grace has passed', children: [], now: '2024-05-01T00:25:00Z', open: true },
    { name: 'a missing last Backup asked for at 00:10:02 is in flight until the grace after that', children: [], createdAt: '2024-05-01T00:10:02Z', now: '2024-05-01T00:15:01Z', open: false, until: '2024-05-01T00:15:02Z' },
    { name: 'a missing last Backup asked for at 00:10:02 is gone the grace after that (its following tick runs on time)', children: [], createdAt: '2024-05-01T00:10:02Z', now: '2024-05-01T00:15:02Z', open: true },
    { name: 'judges a last Backup it cannot read as the schedule\'s by its conditions: running, it holds the gate', children: [unreadable(backup({ slot: '2024-05-01T00:10:00Z', state: 'running' }))], now: '2024-05-01T03:00:00Z', open: false },
    { name: 'judges a last Backup it cannot read as the schedule\'s by its conditions: complete, it opens', children: [unreadable(backup({ slot: '2024-05-01T00:10:00Z', state: 'complete' }))], now: '2024-05-01T00:21:00Z', open: true },
    { name: 'a recorded creation after the following tick never holds the gate longer', children: [], createdAt: '2024-05-01T03:00:00Z', now: '2024-05-01T00:24:59Z', open: false, until: '2024-05-01T00:25:00Z' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const last = { ...LAST, createdAt: c.createdAt === undefined ? null : Date.parse(c.createdAt) };
      const gate = decideGate(last, { now: Date.parse(c.now), schedule: every10, staleViewGraceMs: GRACE, backups: new Map(observe(c.children).map((b) => [b.name, b])) });
      assert.equal(gate.open, c.open);
      if (c.until !== undefined && !gate.open) assert.equal(gate.until, Date.parse(c.until));
    });
  }
  it('opens with no last Backup named, whatever time the status records', () => {
    const last = { name: null, time: Date.parse('2024-05-01T00:10:00Z'), createdAt: null };
    assert.deepEqual(decideGate(last, { now: Date.parse('2024-05-01T00:12:00Z'), schedule: every10, staleViewGraceMs: GRACE, backups: new Map() }), { open: true });
  });
  it('says what it waits for: the last Backup running, or missing from the view within the grace', () => {
    const options = { schedule: every10, staleViewGraceMs: GRACE };
    const running = new Map(observe([backup({ slot: '2024-05-01T00:10:00Z', state: 'running' })]).map((b) => [b.name, b]));
    assert.deepEqual(decideGate({ ...LAST, createdAt: null }, { ...options, now: Date.parse('2024-05-01T03:00:00Z'), backups: running }), {
      open: false,
      message: 'waiting for Backup nightly-2024-05-01t00-10-00 to finish (Complete, Failed or Invalid)',
      until: null,
      blocker: 'nightly-2024-05-01t00-10-00',
    });
    assert.deepEqual(decideGate({ ...LAST, createdAt: null }, { ...options, now: Date.parse('2024-05-01T00:21:00Z'), backups: new Map() }), {
      open: false,
      message: 'Backup nightly-2024-05-01t00-10-00 is not in the view yet; it counts as running until 2024-05-01T00:25:00Z (stale-view grace)',
      until: Date.parse('2024-05-01T00:25:00Z'),
      blocker: null,
    });
  });
  it('opens for a missing last Backup with no recorded time, or of a schedule that never fires', () => {
    const never = parseSchedule('0 0 30 2 *');
    assert.ok(never.ok);
    const now = Date.parse('2024-05-01T00:12:00Z');
    const createdAt = Date.parse('2024-05-01T00:10:02Z');
    assert.deepEqual(decideGate({ name: LAST.name, time: null, createdAt }, { now, schedule: every10, staleViewGraceMs: GRACE, backups: new Map() }), { open: true });
    assert.deepEqual(decideGate({ ...LAST, createdAt }, { now, schedule: never.schedule, staleViewGraceMs: GRACE, backups: new Map() }), { open: true });
  });
  it('opens with no last Backup at all', () => {
    assert.deepEqual(decideGate({ name: null, time: null, createdAt: null }, { now: 0, schedule: every10, staleViewGraceMs: GRACE, backups: new Map() }), { open: true });
  });
});

describe('inFlightUntil', () => {
  const asked = Date.parse('2024-05-01T02:00:00Z');
  const cases: Array<{ name: string; askedAt: number | null; now: number; want: number | null }> = [
    { name: 'counts a Backup asked for a moment ago as running until a grace after', askedAt: asked, now: asked + 1_000, want: asked + GRACE },
    { name: 'counts it running at the instant it was asked for', askedAt: asked, now: asked, want: asked + GRACE },
    { name: 'counts it running a millisecond before the grace ends', askedAt: asked, now: asked + GRACE - 1, want: asked + GRACE },
    { name: 'no longer at the end of the grace', askedAt: asked, now: asked + GRACE, want: null },
    { name: 'no longer after it', askedAt: asked, now: asked + 2 * GRACE, want: null },
    { name: 'not at all when it is not known when it was asked for', askedAt: null, now: asked, want: null },
    { name: 'until a grace after a time ahead of the clock (callers that distrust it say so)', askedAt: asked + 3_600_000, now: asked, want: asked + 3_600_000 + GRACE },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(inFlightUntil(c.askedAt, { now: c.now, staleViewGraceMs: GRACE }), c.want));
  }
});

describe('decideRunningGate', () => {
  const at = (hhmm: string): string => `2024-05-01T${hhmm}:00Z`;
  const LAST = 'nightly-2024-05-01t00-30-00';
  const cases: ReadonlyArray<{ name: string; children: KubeObject[]; stuck?: string[]; blocker: string | null }> = [
    { name: 'opens when only the last Backup runs (decideGate judges that one)', children: [backup({ slot: at('00:30'), state: 'running' })], blocker: null },
    { name: 'opens when the others are finished or being deleted', children: [backup({ slot: at('00:10') }), backup({ slot: at('00:20'), state: 'running', deleting: at('00:25') }), backup({ slot: at('00:30'), state: 'running' })], blocker: null },
    { name: 'closes on another Backup still running', children: [backup({ slot: at('00:20'), state: 'running' }), backup({ slot: at('00:30') })], blocker: 'nightly-2024-05-01t00-20-00' },
    {
      name: 'names a running Backup that is not stuck before a stuck one (the stuck one older)',
      children: [backup({ slot: at('00:10'), state: 'running' }), backup({ slot: at('00:20'), state: 'running' }), backup({ slot: at('00:30') })],
      stuck: ['nightly-2024-05-01t00-10-00'],
      blocker: 'nightly-2024-05-01t00-20-00',
    },
    {
      name: 'names a running Backup that is not stuck before a stuck one (the stuck one newer)',
      children: [backup({ slot: at('00:10'), state: 'running' }), backup({ slot: at('00:20'), state: 'running' }), backup({ slot: at('00:30') })],
      stuck: ['nightly-2024-05-01t00-20-00'],
      blocker: 'nightly-2024-05-01t00-10-00',
    },
    {
      name: 'names the stuck Backup when it is the only one running, so the stuck rule can pass it',
      children: [backup({ slot: at('00:10'), state: 'running' }), backup({ slot: at('00:30') })],
      stuck: ['nightly-2024-05-01t00-10-00'],
      blocker: 'nightly-2024-05-01t00-10-00',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const snapshots = observe(c.children).filter((b): b is SnapshotBackup => b.role === 'snapshot');
      const gate = decideRunningGate(snapshots, { last: LAST, stuck: new Set(c.stuck ?? []) });
      assert.equal(gate.open ? null : gate.blocker, c.blocker);
    });
  }
  it('says which Backup still runs', () => {
    const snapshots = observe([backup({ slot: at('00:20'), state: 'running' }), backup({ slot: at('00:30') })]).filter((b): b is SnapshotBackup => b.role === 'snapshot');
    assert.deepEqual(decideRunningGate(snapshots, { last: LAST, stuck: new Set() }), {
      open: false,
      message: 'waiting for Backup nightly-2024-05-01t00-20-00, still running, to finish (Complete, Failed or Invalid)',
      until: null,
      blocker: 'nightly-2024-05-01t00-20-00',
    });
  });
});

describe('observeChildren', () => {
  it('reads a slot from the annotation, else the name, else the creation time', () => {
    const byAnnotation = backup({ slot: '2024-05-01T00:10:00Z', name: 'anything' });
    const byName = backup({ slot: '2024-05-01T00:20:00Z', annotate: false });
    const byCreation = backup({ slot: '2024-05-01T00:30:00Z', name: 'manual', annotate: false, created: '2024-05-01T00:31:00Z' });
    const slots = Object.fromEntries(
      observe([byAnnotation, byName, byCreation]).map((b) => [b.name, b.role === 'snapshot' ? new Date(b.slot).toISOString() : b.role]),
    );
    assert.deepEqual(slots, { anything: '2024-05-01T00:10:00.000Z', 'nightly-2024-05-01t00-20-00': '2024-05-01T00:20:00.000Z', manual: '2024-05-01T00:31:00.000Z' });
  });
  it("reads no slot from a name made for another schedule, however alike: the creation time counts", () => {
    const renamed = backup({ slot: '2024-05-01T00:20:00Z', name: 'weekend-2024-05-01t00-20-00', annotate: false, created: '2024-05-01T00:31:00Z' });
    const [seen] = observe([renamed]);
    assert.equal(seen?.role === 'snapshot' ? new Date(seen.slot).toISOString() : seen?.role, '2024-05-01T00:31:00.000Z');
  });
  it('does not count a Backup whose controller owner is another object', () => {
    const stolen = backup({ slot: '2024-05-01T00:10:00Z' });
    stolen.metadata!.ownerReferences = [{ apiVersion: 'pingcap.com/v1alpha1', kind: 'BackupSchedule', name: 'nightly', uid: 'someone-else', controller: true }];
    assert.equal(observe([stolen])[0]?.role, 'foreign');
  });
  it('does not count a Backup with an unreadable slot annotation or commitTs', () => {
    const badAnnotation = backup({ slot: '2024-05-01T00:10:00Z' });
    badAnnotation.metadata!.annotations!['backup-schedule-hook/scheduled-at'] = 'yesterday';
    const badCommit = backup({ slot: '2024-05-01T00:20:00Z', commitTs: '12:00' });
    assert.deepEqual(observe([badAnnotation, badCommit]).map((b) => b.role), ['foreign', 'foreign']);
  });
  it('sees the log Backup as the schedule\'s log backup', () => {
    assert.equal(observe([backup({ slot: '2024-05-01T00:00:00Z', name: 'log-nightly', mode: 'log', state: 'running' })])[0]?.role, 'log');
  });
});
