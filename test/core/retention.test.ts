import assert from 'node:assert/strict';

import { observeChildren } from '../../src/core/observe.js';
import type { SnapshotBackup } from '../../src/core/observe.js';
import { decideCompactRetention, decideRetention, earliestKeptComplete } from '../../src/core/retention.js';
import type { LogRetention, RetentionPolicy } from '../../src/core/retention.js';
import type { ObservedCompact } from '../../src/core/observe.js';
import type { KubeObject } from '../../src/core/types.js';
import { backup, schedule, tsoAt } from '../support/objects.js';
import type { TestState } from '../support/objects.js';

const parent = schedule();
const at = (hhmm: string): string => `2024-05-01T${hhmm}:00Z`;

function snapshots(list: ReadonlyArray<readonly [string, TestState]>): SnapshotBackup[] {
  const map = Object.fromEntries(list.map(([hhmm, state]) => [`db/${hhmm}`, backup({ slot: at(hhmm), state })]));
  return observeChildren(parent, { 'Backup.pingcap.com/v1alpha1': map }).backups.filter((b): b is SnapshotBackup => b.role === 'snapshot');
}

interface Case {
  name: string;
  backups: ReadonlyArray<readonly [string, TestState]>;
  policy: RetentionPolicy;
  now: string;
  protect?: string;
  deleted: string[];
}

const byTime = (ms: number): RetentionPolicy => ({ maxReservedTimeMs: ms, maxBackups: null });
const byCount = (n: number): RetentionPolicy => ({ maxReservedTimeMs: null, maxBackups: n });
const HOUR = 3_600_000;

const cases: Case[] = [
  { name: 'no rule deletes nothing', backups: [['00:00', 'complete'], ['01:00', 'failed']], policy: { maxReservedTimeMs: null, maxBackups: null }, now: at('23:00'), deleted: [] },
  {
    name: 'age: each Backup judged on its own, not a leading run (a young one between old ones does not shield them)',
    backups: [['00:00', 'complete'], ['00:10', 'running'], ['00:20', 'complete'], ['05:00', 'complete']],
    policy: byTime(HOUR),
    now: at('05:30'),
    deleted: ['00:00', '00:20'],
  },
  { name: 'age: expired failed and invalid Backups go too', backups: [['00:00', 'failed'], ['00:10', 'invalid'], ['05:00', 'complete']], policy: byTime(HOUR), now: at('05:30'), deleted: ['00:00', '00:10'] },
  { name: 'age: the newest Complete stays even when expired (floor of one good backup)', backups: [['00:00', 'complete'], ['01:00', 'complete'], ['02:00', 'failed']], policy: byTime(HOUR), now: at('23:00'), deleted: ['00:00', '02:00'] },
  { name: 'age: unfinished Backups are never deleted', backups: [['00:00', 'running'], ['00:10', 'scheduled'], ['00:20', 'new'], ['01:00', 'complete']], policy: byTime(HOUR), now: at('23:00'), deleted: [] },
  { name: 'age: the protected last Backup stays', backups: [['00:00', 'failed'], ['01:00', 'complete']], policy: byTime(HOUR), now: at('23:00'), protect: '00:00', deleted: [] },
  {
    name: 'count: the newest N Complete stay; failed ones do not take their places',
    backups: [['00:00', 'complete'], ['00:10', 'complete'], ['00:20', 'failed'], ['00:30', 'complete'], ['00:40', 'failed']],
    policy: byCount(2),
    now: at('23:00'),
    deleted: ['00:00'],
  },
  {
    name: 'count: the 5 newest failed or invalid stay, older ones go',
    backups: [['00:00', 'failed'], ['00:10', 'invalid'], ['00:20', 'failed'], ['00:30', 'failed'], ['00:40', 'failed'], ['00:50', 'failed'], ['01:00', 'complete']],
    policy: byCount(3),
    now: at('23:00'),
    deleted: ['00:00'],
  },
  {
    name: 'count: a protected failed Backup beyond the newest 5 failed or invalid stays',
    backups: [['00:00', 'failed'], ['00:10', 'failed'], ['00:20', 'failed'], ['00:30', 'failed'], ['00:40', 'failed'], ['00:50', 'failed'], ['01:00', 'complete']],
    policy: byCount(3),
    now: at('23:00'),
    protect: '00:00',
    deleted: [],
  },
  { name: 'age: a Backup expires at exactly maxReservedTime after its commit', backups: [['00:00', 'complete'], ['05:00', 'complete']], policy: byTime(HOUR), now: '2024-05-01T01:00:10Z', deleted: ['00:00'] },
  { name: 'age: a second before, it stays', backups: [['00:00', 'complete'], ['05:00', 'complete']], policy: byTime(HOUR), now: '2024-05-01T01:00:09Z', deleted: [] },
  { name: 'count: running Backups are never counted or deleted', backups: [['00:00', 'running'], ['00:10', 'running'], ['00:20', 'complete']], policy: byCount(1), now: at('23:00'), deleted: [] },
];

describe('decideRetention', () => {
  for (const c of cases) {
    it(c.name, () => {
      const result = decideRetention(snapshots(c.backups), {
        now: Date.parse(c.now),
        policy: c.policy,
        protectedNames: new Set(c.protect === undefined ? [] : [`nightly-2024-05-01t${c.protect.replace(':', '-')}-00`]),
      });
      const deleted = result.deletions.map((d) => d.name.slice('nightly-2024-05-01t'.length, -3).replace('-', ':')).sort();
      assert.deepEqual(deleted, [...c.deleted].sort());
      for (const d of result.deletions) assert.match(d.reason, /^(maxReservedTime|maxBackups): /);
    });
  }

  it('age with a log backup: judges any number of Backups (300,000 finished ones, past any argument-count limit)', () => {
    const count = 300_000;
    const records: SnapshotBackup[] = Array.from({ length: count }, (_, i) => ({
      role: 'snapshot',
      name: `b${String(i).padStart(6, '0')}`,
      object: { metadata: {} },
      deleting: false,
      commitTso: BigInt(i * 1000) << 18n, // each committed at its age: only commits move the cutoff
      slot: i * 1000,
      state: i === 0 ? 'complete' : 'failed',
      ageAt: i * 1000,
    }));
    const result = decideRetention(records, {
      now: count * 1000,
      policy: byTime(HOUR),
      protectedNames: new Set(),
      log: { range: { startTso: 1n, checkpointTso: null }, compactCap: undefined },
    });
    // The newest is at (count - 1) s: everything committed an hour before it goes, but the one Complete Backup, the restore base.
    assert.equal(result.deletions.length, count - 1 - HOUR / 1000);
    assert.ok(!result.deletions.some((d) => d.name === 'b000000'));
  });

  it('reports the next expiry among Backups that are not yet expired', () => {
    const result = decideRetention(snapshots([['04:50', 'complete'], ['05:00', 'complete']]), { now: Date.parse(at('05:30')), policy: byTime(HOUR), protectedNames: new Set() });
    // complete Backups commit 10 s after their slot (test builder): 04:50:10 + 1h
    assert.equal(result.nextExpiry, Date.parse('2024-05-01T05:50:10Z'));
  });
});

const name = (hhmm: string): string => `nightly-2024-05-01t${hhmm.replace(':', '-')}-00`;
const tso = (hhmmss: string): bigint => BigInt(tsoAt(`2024-05-01T${hhmmss}Z`));

function observedSnapshots(children: KubeObject[]): SnapshotBackup[] {
  const map = Object.fromEntries(children.map((c) => [`db/${c.metadata?.name}`, c]));
  return observeChildren(parent, { 'Backup.pingcap.com/v1alpha1': map }).backups.filter((b): b is SnapshotBackup => b.role === 'snapshot');
}

describe('decideRetention: age with a log backup', () => {
  // Complete Backups commit 10 s after their slot. A log from 00:00 with its checkpoint at 03:30: the cutoff is 02:30.
  const hourly = observedSnapshots(['00:00', '01:00', '02:00', '03:00'].map((hhmm) => backup({ slot: at(hhmm) })));
  const log = (range: { start: string | null; checkpoint: string | null }, compactCap?: string | null): LogRetention => ({
    range: { startTso: range.start === null ? null : tso(range.start), checkpointTso: range.checkpoint === null ? null : tso(range.checkpoint) },
    compactCap: compactCap === undefined ? undefined : compactCap === null ? null : tso(compactCap),
  });
  const cases: ReadonlyArray<{ name: string; log: LogRetention; deleted: string[]; truncateUntil: string | null }> = [
    { name: 'deletes before the restore base and truncates the log up to it', log: log({ start: '00:00:00', checkpoint: '03:30:00' }), deleted: ['00:00', '01:00'], truncateUntil: '02:00:10' },
    { name: 'truncates up to a base committed exactly at the checkpoint', log: log({ start: '00:00:00', checkpoint: '02:00:10' }), deleted: ['00:00', '01:00'], truncateUntil: '02:00:10' },
    { name: 'never truncates past the checkpoint', log: log({ start: '00:00:00', checkpoint: '01:30:00' }), deleted: ['00:00', '01:00'], truncateUntil: null },
    { name: 'never truncates to the log start itself', log: log({ start: '02:00:10', checkpoint: '03:30:00' }), deleted: ['00:00', '01:00'], truncateUntil: null },
    { name: 'never truncates without a readable log start', log: log({ start: null, checkpoint: '03:30:00' }), deleted: ['00:00', '01:00'], truncateUntil: null },
    { name: 'never truncates without a readable checkpoint', log: log({ start: '00:00:00', checkpoint: null }), deleted: ['00:00', '01:00'], truncateUntil: null },
    { name: 'never truncates with a compact template and no compaction yet', log: log({ start: '00:00:00', checkpoint: '03:30:00' }, null), deleted: ['00:00', '01:00'], truncateUntil: null },
    { name: 'truncates no further than compaction got', log: log({ start: '00:00:00', checkpoint: '03:30:00' }, '01:30:00'), deleted: ['00:00', '01:00'], truncateUntil: '01:30:00' },
    { name: 'truncates up to the base when compaction got further', log: log({ start: '00:00:00', checkpoint: '03:30:00' }, '03:00:00'), deleted: ['00:00', '01:00'], truncateUntil: '02:00:10' },
    { name: 'never truncates when compaction got no further than the log start', log: log({ start: '00:30:00', checkpoint: '03:30:00' }, '00:30:00'), deleted: ['00:00', '01:00'], truncateUntil: null },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const result = decideRetention(hourly, { now: Date.parse(at('23:00')), policy: byTime(HOUR), protectedNames: new Set(), log: c.log });
      assert.deepEqual(result.deletions.map((d) => d.name).sort(), c.deleted.map(name));
      assert.equal(result.truncateUntil, c.truncateUntil === null ? null : tso(c.truncateUntil));
    });
  }
  const noLog = log({ start: '00:00:00', checkpoint: null });
  it('counts back from the newest finished Backup, never from one still running', () => {
    const children = [...['00:00', '01:00', '02:00'].map((hhmm) => backup({ slot: at(hhmm) })), backup({ slot: at('05:00'), state: 'running' })];
    const result = decideRetention(observedSnapshots(children), { now: Date.parse(at('23:00')), policy: byTime(HOUR), protectedNames: new Set(), log: noLog });
    assert.deepEqual(result.deletions.map((d) => d.name), [name('00:00')]);
  });
  it('keeps as the restore base the expired Complete Backup with the newest commit, not the newest slot', () => {
    const children = [backup({ slot: at('01:00'), commitTs: tsoAt(at('01:50')) }), backup({ slot: at('01:30'), commitTs: tsoAt(at('01:20')) }), backup({ slot: at('05:00') })];
    const result = decideRetention(observedSnapshots(children), { now: Date.parse(at('23:00')), policy: byTime(HOUR), protectedNames: new Set(), log: noLog });
    assert.deepEqual(result.deletions.map((d) => d.name), [name('01:30')]);
  });
  it('deletes nothing while no Complete Backup has expired (no restore base yet)', () => {
    const children = [backup({ slot: at('00:00'), state: 'failed' }), backup({ slot: at('05:00') })];
    const result = decideRetention(observedSnapshots(children), { now: Date.parse(at('23:00')), policy: byTime(HOUR), protectedNames: new Set(), log: noLog });
    assert.deepEqual(result.deletions, []);
  });
});

describe('decideRetention: count with a log backup truncates up to the oldest Complete Backup kept', () => {
  const range = { startTso: tso('00:00:00'), checkpointTso: tso('23:00:00') };
  const cases: ReadonlyArray<{ name: string; children: KubeObject[]; truncateUntil: string }> = [
    { name: 'the oldest kept by commit, not a deleted one', children: ['00:00', '01:00', '02:00'].map((hhmm) => backup({ slot: at(hhmm) })), truncateUntil: '01:00:10' },
    {
      name: 'the earliest commit among those kept, whatever the slots say',
      children: [backup({ slot: at('00:00') }), backup({ slot: at('01:00') }), backup({ slot: at('02:00'), commitTs: tsoAt(at('00:30')) })],
      truncateUntil: '00:30:00',
    },
    { name: 'never a failed one', children: [backup({ slot: at('00:00') }), backup({ slot: at('00:30'), state: 'failed', commitTs: tsoAt(at('00:31')) }), backup({ slot: at('01:00') }), backup({ slot: at('02:00') })], truncateUntil: '01:00:10' },
    {
      // A pin keeps the snapshot, not the log from it (as under maxReservedTime): a forgotten pin would keep the log for ever.
      name: 'never a pinned one',
      children: [backup({ slot: at('00:00'), annotations: { 'backup-schedule-hook/keep': 'true' } }), ...['01:00', '02:00', '03:00'].map((hhmm) => backup({ slot: at(hhmm) }))],
      truncateUntil: '02:00:10',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const result = decideRetention(observedSnapshots(c.children), { now: Date.parse(at('23:00')), policy: byCount(2), protectedNames: new Set(), log: { range, compactCap: undefined } });
      assert.equal(result.truncateUntil, tso(c.truncateUntil));
    });
  }
});

describe('decideRetention: count breaks ties of slots by name', () => {
  it('keeps the greater name of two Complete Backups of the same slot', () => {
    const children = [backup({ slot: at('01:00'), name: 'tie-a' }), backup({ slot: at('01:00'), name: 'tie-b' }), backup({ slot: at('00:00') })];
    for (const order of [children, [...children].reverse()]) {
      const result = decideRetention(observedSnapshots(order), { now: Date.parse(at('23:00')), policy: byCount(1), protectedNames: new Set() });
      assert.deepEqual(result.deletions.map((d) => d.name).sort(), [name('00:00'), 'tie-a']);
    }
  });
});

describe('decideRetention: the next expiry', () => {
  it('is the earliest expiry, whatever order the Backups come in', () => {
    const children = [backup({ slot: at('04:40'), commitTs: tsoAt(at('04:55')) }), backup({ slot: at('04:50'), commitTs: tsoAt(at('04:45')) }), backup({ slot: at('05:00') })];
    const result = decideRetention(observedSnapshots(children), { now: Date.parse(at('05:30')), policy: byTime(HOUR), protectedNames: new Set() });
    assert.equal(result.nextExpiry, Date.parse(at('05:45')));
  });
});

describe('decideCompactRetention', () => {
  const compact = (hhmm: string, extra: Partial<ObservedCompact> = {}): ObservedCompact => ({
    name: `compact-${hhmm}`,
    object: {},
    deleting: false,
    state: 'complete',
    startAt: Date.parse(at(hhmm)) - HOUR,
    endAt: Date.parse(at(hhmm)),
    ...extra,
  });
  const compacts = [
    compact('01:00'),
    compact('02:00', { state: 'failed' }),
    compact('03:00', { state: 'unfinished' }),
    compact('04:00', { deleting: true }),
    compact('05:00', { endAt: null }),
    compact('06:00', { name: 'compact-last' }),
    compact('07:00'),
    compact('08:00'),
    compact('08:00', { name: 'compact-08:00-b' }),
  ];
  const protectedNames = new Set(['compact-last']);
  it('age: removes finished windows that ended maxReservedTime ago or more, and says when the next one ends', () => {
    const result = decideCompactRetention(compacts, { now: Date.parse(at('08:00')), policy: byTime(6 * HOUR), protectedNames });
    assert.deepEqual(result.deletions.map((d) => d.name).sort(), ['compact-01:00', 'compact-02:00']);
    assert.equal(result.nextExpiry, Date.parse(at('13:00')));
  });
  it('age: the next expiry is the earliest, whatever order they come in', () => {
    const result = decideCompactRetention([...compacts].reverse(), { now: Date.parse(at('08:00')), policy: byTime(6 * HOUR), protectedNames });
    assert.equal(result.nextExpiry, Date.parse(at('13:00')));
  });
  it('count: keeps the newest windows, ties by name, and never counts running, deleted, unreadable or protected ones', () => {
    const result = decideCompactRetention(compacts, { now: Date.parse(at('08:00')), policy: byCount(2), protectedNames });
    assert.deepEqual(result.deletions.map((d) => d.name).sort(), ['compact-01:00', 'compact-02:00', 'compact-07:00']);
    for (const ties of [[compact('08:00', { name: 'b' }), compact('08:00', { name: 'a' })], [compact('08:00', { name: 'a' }), compact('08:00', { name: 'b' })]]) {
      assert.deepEqual(decideCompactRetention(ties, { now: 0, policy: byCount(1), protectedNames }).deletions.map((d) => d.name), ['a']);
    }
  });
  it('no rule removes nothing', () => {
    assert.deepEqual(decideCompactRetention(compacts, { now: Date.parse(at('23:00')), policy: { maxReservedTimeMs: null, maxBackups: null }, protectedNames }), { deletions: [], nextExpiry: null });
  });
});

describe('decideRetention: no rule', () => {
  it('deletes nothing, however many Complete, failed and invalid Backups there are', () => {
    const children = [
      ...['00:00', '01:00', '02:00', '03:00'].map((hhmm) => backup({ slot: at(hhmm) })),
      ...['04:00', '04:10', '04:20', '04:30', '04:40', '04:50', '05:00'].map((hhmm) => backup({ slot: at(hhmm), state: 'failed' })),
      backup({ slot: at('05:10'), state: 'invalid' }),
    ];
    const result = decideRetention(observedSnapshots(children), { now: Date.parse(at('23:00')), policy: { maxReservedTimeMs: null, maxBackups: null }, protectedNames: new Set() });
    assert.deepEqual(result, { deletions: [], nextExpiry: null, truncateUntil: null });
  });
});

describe('decideRetention: age with a log backup, where the cutoff counts from', () => {
  // Complete Backups commit 10 s after their slot; the log starts at 00:00.
  const hourly = observedSnapshots(['00:00', '01:00', '02:00', '03:00'].map((hhmm) => backup({ slot: at(hhmm) })));
  const cases: ReadonlyArray<{ name: string; checkpoint: string | null; deleted: string[]; truncateUntil: string | null }> = [
    { name: 'from the log checkpoint when it is newer than every snapshot (05:00: cutoff 04:00)', checkpoint: '05:00:00', deleted: ['00:00', '01:00', '02:00'], truncateUntil: '03:00:10' },
    { name: 'from the newest snapshot commit when the checkpoint is older (cutoff 02:00:10)', checkpoint: '02:30:00', deleted: ['00:00', '01:00'], truncateUntil: '02:00:10' },
    { name: 'from the newest snapshot commit without a readable checkpoint (cutoff 02:00:10)', checkpoint: null, deleted: ['00:00', '01:00'], truncateUntil: null },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const log: LogRetention = { range: { startTso: tso('00:00:00'), checkpointTso: c.checkpoint === null ? null : tso(c.checkpoint) }, compactCap: undefined };
      const result = decideRetention(hourly, { now: Date.parse(at('23:00')), policy: byTime(HOUR), protectedNames: new Set(), log });
      assert.deepEqual(result.deletions.map((d) => d.name).sort(), c.deleted.map(name));
      assert.equal(result.truncateUntil, c.truncateUntil === null ? null : tso(c.truncateUntil));
    });
  }
  // A failed or invalid Backup without status.commitTs has no commit: upstream reads its empty commitTs as 0, so it never
  // moves the cutoff; its creation is no restore point. Backups failing for days while the log's checkpoint stalls (a
  // broken cluster) must not walk the cutoff forward and retire the Complete snapshots upstream keeps.
  const finishedAfter = (extra: KubeObject): SnapshotBackup[] => observedSnapshots([...['00:00', '01:00', '02:00', '03:00'].map((hhmm) => backup({ slot: at(hhmm) })), extra]);
  const newer: ReadonlyArray<{ name: string; children: SnapshotBackup[]; deleted: string[]; truncateUntil: string | null }> = [
    { name: 'not from a failed Backup without a commit (cutoff 02:00:10, from the newest commit)', children: finishedAfter(backup({ slot: at('05:00'), state: 'failed' })), deleted: ['00:00', '01:00'], truncateUntil: '02:00:10' },
    { name: 'not from an invalid Backup without a commit (cutoff 02:00:10)', children: finishedAfter(backup({ slot: at('05:00'), state: 'invalid' })), deleted: ['00:00', '01:00'], truncateUntil: '02:00:10' },
    { name: "from a failed Backup's commit when it has one, as upstream (cutoff 04:00:10)", children: finishedAfter(backup({ slot: at('05:00'), state: 'failed', commitTs: tsoAt(at('05:00').replace(':00Z', ':10Z')) })), deleted: ['00:00', '01:00', '02:00'], truncateUntil: null },
  ];
  for (const c of newer) {
    it(c.name, () => {
      const log: LogRetention = { range: { startTso: tso('00:00:00'), checkpointTso: tso('02:30:00') }, compactCap: undefined };
      const result = decideRetention(c.children, { now: Date.parse(at('23:00')), policy: byTime(HOUR), protectedNames: new Set(), log });
      assert.deepEqual(result.deletions.map((d) => d.name).sort(), c.deleted.map(name));
      assert.equal(result.truncateUntil, c.truncateUntil === null ? null : tso(c.truncateUntil));
    });
  }
  it('decides nothing while no Backup has finished and the log has no readable checkpoint', () => {
    const running = observedSnapshots([backup({ slot: at('00:00'), state: 'running' }), backup({ slot: at('01:00'), state: 'new' })]);
    const log: LogRetention = { range: { startTso: tso('00:00:00'), checkpointTso: null }, compactCap: undefined };
    assert.deepEqual(decideRetention(running, { now: Date.parse(at('23:00')), policy: byTime(HOUR), protectedNames: new Set(), log }), { deletions: [], nextExpiry: null, truncateUntil: null });
  });
});

describe('earliestKeptComplete', () => {
  const snapshot = (name: string, ageAt: number, extra: Partial<SnapshotBackup> = {}): SnapshotBackup => ({
    role: 'snapshot',
    name,
    object: { metadata: { name } },
    deleting: false,
    commitTso: null,
    slot: ageAt,
    state: 'complete',
    ageAt,
    ...extra,
  });
  const T = Date.parse(at('01:00'));
  const cases: ReadonlyArray<{ name: string; live: SnapshotBackup[]; removed?: string[]; earliest: string | undefined }> = [
    { name: 'the earliest commit, whatever the names say', live: [snapshot('a', T + 1), snapshot('z', T)], earliest: 'z' },
    { name: 'the smaller name of two committed at the same instant', live: [snapshot('b', T), snapshot('a', T)], earliest: 'a' },
    { name: 'the smaller name of two committed at the same instant, behind a later one', live: [snapshot('c', T + 1), snapshot('b', T), snapshot('a', T)], earliest: 'a' },
    {
      name: 'never one removed, being deleted or not Complete',
      live: [snapshot('a', T - 4), snapshot('b', T - 3, { deleting: true }), snapshot('c', T - 2, { state: 'failed' }), snapshot('d', T - 1, { state: 'unfinished' }), snapshot('e', T)],
      removed: ['a'],
      earliest: 'e',
    },
    { name: 'none without a Complete one kept', live: [snapshot('a', T)], removed: ['a'], earliest: undefined },
  ];
  for (const c of cases) {
    it(c.name, () => {
      for (const order of [c.live, [...c.live].reverse()]) assert.equal(earliestKeptComplete(order, new Set(c.removed ?? []))?.name, c.earliest);
    });
  }
});

describe('retention says which rule deletes each Backup, and why', () => {
  const now = Date.parse(at('23:00'));
  const none = new Set<string>();
  const compact = (hhmm: string): ObservedCompact => ({ name: `compact-${hhmm}`, object: {}, deleting: false, state: 'complete', startAt: Date.parse(at(hhmm)) - HOUR, endAt: Date.parse(at(hhmm)) });
  const cases: ReadonlyArray<{ name: string; decide: () => { deletions: Array<{ name: string; rule: string; reason: string }> }; want: Array<{ name: string; rule: string; reason: string }> }> = [
    {
      name: 'maxReservedTime: when it committed and when it expired',
      decide: () => decideRetention(observedSnapshots([backup({ slot: at('00:00') }), backup({ slot: at('05:00') })]), { now, policy: byTime(HOUR), protectedNames: none }),
      want: [{ name: name('00:00'), rule: 'maxReservedTime', reason: 'maxReservedTime: complete at 2024-05-01T00:00:10Z, expired at 2024-05-01T01:00:10Z' }],
    },
    {
      name: 'maxReservedTime with a log backup: when it committed, the cutoff, and the restore base that stays',
      decide: () =>
        decideRetention(observedSnapshots(['01:00', '02:00', '03:00'].map((hhmm) => backup({ slot: at(hhmm) }))), {
          now,
          policy: byTime(HOUR),
          protectedNames: none,
          log: { range: { startTso: tso('00:00:00'), checkpointTso: tso('03:30:00') }, compactCap: undefined },
        }),
      want: [{ name: name('01:00'), rule: 'maxReservedTime', reason: `maxReservedTime with log backup: committed 2024-05-01T01:00:10Z, before the cutoff 2024-05-01T02:30:00Z; ${name('02:00')} stays as the restore base` }],
    },
    {
      name: 'maxBackups: beyond the newest Complete ones',
      decide: () => decideRetention(observedSnapshots(['00:00', '01:00', '02:00'].map((hhmm) => backup({ slot: at(hhmm) }))), { now, policy: byCount(2), protectedNames: none }),
      want: [{ name: name('00:00'), rule: 'maxBackups', reason: 'maxBackups: beyond the newest 2 Complete' }],
    },
    {
      name: 'maxBackups: beyond the newest 5 failed or invalid',
      decide: () =>
        decideRetention(observedSnapshots([...['00:00', '00:10', '00:20', '00:30', '00:40', '00:50'].map((hhmm) => backup({ slot: at(hhmm), state: 'failed' })), backup({ slot: at('01:00') })]), {
          now,
          policy: byCount(2),
          protectedNames: none,
        }),
      want: [{ name: name('00:00'), rule: 'maxBackups', reason: 'maxBackups: beyond the newest 5 failed or invalid' }],
    },
    {
      name: 'maxReservedTime for a CompactBackup: when its window ended',
      decide: () => decideCompactRetention([compact('01:00'), compact('23:00')], { now, policy: byTime(HOUR), protectedNames: none }),
      want: [{ name: 'compact-01:00', rule: 'maxReservedTime', reason: 'maxReservedTime: CompactBackup window ended 2024-05-01T01:00:00Z' }],
    },
    {
      name: 'maxBackups for CompactBackups: beyond the newest ones',
      decide: () => decideCompactRetention([compact('01:00'), compact('02:00'), compact('03:00')], { now, policy: byCount(2), protectedNames: none }),
      want: [{ name: 'compact-01:00', rule: 'maxBackups', reason: 'maxBackups: beyond the newest 2 CompactBackups' }],
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(c.decide().deletions, c.want));
});
