import assert from 'node:assert/strict';

import { observeChildren } from '../../src/core/observe.js';
import type { ObservedCompact, SnapshotBackup } from '../../src/core/observe.js';
import { decideGfsCompactRetention, decideGfsRetention } from '../../src/core/retention-gfs.js';
import { readRetention } from '../../src/core/retention-spec.js';
import type { GfsPolicy } from '../../src/core/retention-spec.js';
import type { JsonObject } from '../../src/core/types.js';
import { backup, schedule, stamp } from '../support/objects.js';
import type { TestState } from '../support/objects.js';

const parent = schedule();

/** A test Backup: its slot, its state (default complete), pinned or not. */
type Item = readonly [slot: string, state?: TestState, pinned?: 'pinned'];

function snapshots(items: readonly Item[]): SnapshotBackup[] {
  const map = Object.fromEntries(
    items.map(([slot, state, pinned]) => [
      `db/${slot}`,
      backup({ slot, state: state ?? 'complete', ...(pinned ? { annotations: { 'backup-schedule-hook/keep': 'true' } } : {}) }),
    ]),
  );
  return observeChildren(parent, { 'Backup.pingcap.com/v1alpha1': map }).backups.filter((b): b is SnapshotBackup => b.role === 'snapshot');
}

function policy(retention: JsonObject): GfsPolicy {
  const problems: string[] = [];
  const read = readRetention({ retention }, problems);
  assert.deepEqual(problems, []);
  assert.ok(read !== null);
  return read;
}

/** Daily Backups at midnight UTC from one date to another, inclusive. */
function daily(from: string, to: string): Item[] {
  const out: Item[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) out.push([new Date(t).toISOString().replace('.000Z', 'Z')]);
  return out;
}

interface Case {
  name: string;
  items: readonly Item[];
  retention: JsonObject;
  timeZone?: string;
  now: string;
  protect?: string;
  /** Slots (RFC 3339) that go. */
  deleted: string[];
  /** When the answer changes by time alone (a completed slot ahead of now moves the keepWithin cutoff), if ever. */
  nextExpiry?: string;
}

const day = (d: string, hh = '00'): string => `2024-${d}T${hh}:00:00Z`;

const cases: Case[] = [
  { name: 'keepLast keeps the newest N completed', items: daily('2024-05-01', '2024-05-05'), retention: { keepLast: 2 }, now: day('05-06'), deleted: ['05-01', '05-02', '05-03'].map((d) => day(d)) },
  { name: 'keepLast -1 keeps every completed Backup', items: daily('2024-05-01', '2024-05-05'), retention: { keepLast: -1 }, now: day('05-06'), deleted: [] },
  {
    name: 'keepDaily keeps the newest of each day; the oldest stays while the bucket has room (restic)',
    items: [[day('05-01', '00')], [day('05-01', '12')], [day('05-02', '00')], [day('05-02', '12')]],
    retention: { keepDaily: 3 },
    now: day('05-03'),
    deleted: [day('05-02', '00')],
  },
  {
    name: 'keepDaily with no room left does not keep the oldest',
    items: [[day('05-01', '00')], [day('05-01', '12')], [day('05-02', '00')], [day('05-02', '12')]],
    retention: { keepDaily: 2 },
    now: day('05-03'),
    deleted: [day('05-01', '00'), day('05-02', '00')],
  },
  {
    name: 'keepWeekly uses ISO weeks: Sun 2024-12-29 is 2024-W52, Mon 2024-12-30 is 2025-W01',
    items: [[day('12-28')], [day('12-29')], [day('12-30')], [day('12-31')]],
    retention: { keepWeekly: 2 },
    now: day('12-31', '01'),
    deleted: [day('12-28'), day('12-30')],
  },
  {
    name: 'keepMonthly and keepYearly: one Backup may fill several buckets',
    items: [['2023-12-31T00:00:00Z'], ['2024-01-15T00:00:00Z'], ['2024-01-31T00:00:00Z'], ['2024-02-10T00:00:00Z']],
    retention: { keepMonthly: 2, keepYearly: 2 },
    now: '2024-02-11T00:00:00Z',
    deleted: ['2024-01-15T00:00:00Z'],
  },
  {
    name: 'keepHourly buckets by hour',
    items: [[day('05-01', '00').replace(':00:00Z', ':10:00Z')], [day('05-01', '00').replace(':00:00Z', ':50:00Z')], [day('05-01', '01').replace(':00:00Z', ':10:00Z')]],
    retention: { keepHourly: 1 },
    now: day('05-01', '02'),
    deleted: [day('05-01', '00').replace(':00:00Z', ':10:00Z'), day('05-01', '00').replace(':00:00Z', ':50:00Z')],
  },
  {
    name: 'keepWithin counts back from the newest completed slot, strictly after the cutoff',
    items: [[day('05-01')], [day('05-02')], [day('05-03')], [day('05-04'), 'failed'], [day('05-05'), 'failed']],
    retention: { keepWithin: '24h' },
    now: day('05-06'),
    deleted: [day('05-01'), day('05-02')],
  },
  {
    name: 'keepWithin ignores a completed Backup in the future when finding the newest',
    items: [[day('05-01')], [day('05-02')], [day('05-09')]],
    retention: { keepWithin: '24h' },
    now: day('05-03'),
    deleted: [day('05-01')],
    nextExpiry: day('05-09'),
  },
  {
    name: 'keepWithin: the next expiry is the nearest completed slot in the future',
    items: [[day('05-01')], [day('05-02')], [day('05-08')], [day('05-09')]],
    retention: { keepWithin: '24h' },
    now: day('05-03'),
    deleted: [day('05-01')],
    nextExpiry: day('05-08'),
  },
  {
    name: 'keepWithin counts a completed slot at exactly now as the newest, not as one in the future',
    items: [[day('05-01')], [day('05-02')], [day('05-03')]],
    retention: { keepWithin: '24h' },
    now: day('05-03'),
    deleted: [day('05-01'), day('05-02')],
  },
  { name: 'without keepWithin no slot in the future is a call-back', items: [[day('05-01')], [day('05-09')]], retention: { keepLast: 5 }, now: day('05-03'), deleted: [] },
  { name: 'a pinned Backup takes no place in the keep rules', items: [[day('05-01')], [day('05-02')], [day('05-03'), 'complete', 'pinned']], retention: { keepLast: 1 }, now: day('05-06'), deleted: [day('05-01')] },
  {
    name: 'keepYearly keeps the newest of each year',
    items: [['2022-12-31T00:00:00Z'], ['2023-06-01T00:00:00Z'], ['2023-12-31T00:00:00Z'], ['2024-05-01T00:00:00Z']],
    retention: { keepYearly: 2 },
    now: day('05-06'),
    deleted: ['2022-12-31T00:00:00Z', '2023-06-01T00:00:00Z'],
  },
  {
    name: 'rules are ORed: keepLast 1 or keepWeekly 2',
    items: daily('2024-04-22', '2024-05-05'),
    retention: { keepLast: 1, keepWeekly: 2 },
    now: day('05-06'),
    deleted: daily('2024-04-22', '2024-05-04').map(([slot]) => slot).filter((slot) => slot !== day('04-28')),
  },
  {
    name: 'buckets are days of the schedule zone (Asia/Kolkata, UTC+05:30)',
    items: [[day('05-01', '17')], [day('05-01', '20')], [day('05-02', '17')]],
    retention: { keepDaily: 2 },
    timeZone: 'Asia/Kolkata',
    now: day('05-03'),
    deleted: [day('05-01', '20')],
  },
  {
    name: 'pinned Backups are never deleted and take no place in a count',
    items: [[day('05-01'), 'complete', 'pinned'], [day('05-02')], [day('05-03')], [day('05-04')]],
    retention: { keepLast: 2 },
    now: day('05-05'),
    deleted: [day('05-02')],
  },
  {
    name: 'minCompleted rescues the newest of those the rules let go',
    items: daily('2024-05-01', '2024-05-05'),
    retention: { keepLast: 1, minCompleted: 3 },
    now: day('05-06'),
    deleted: [day('05-01'), day('05-02')],
  },
  {
    name: 'minCompleted counts pinned Backups',
    items: [[day('05-01')], [day('05-02'), 'complete', 'pinned'], [day('05-03')], [day('05-04')]],
    retention: { keepLast: 1, minCompleted: 3 },
    now: day('05-05'),
    deleted: [day('05-01')],
  },
  {
    name: 'failed and invalid Backups are kept apart: the newest failedBackupsHistoryLimit stay',
    items: [[day('05-01'), 'failed'], [day('05-02'), 'invalid'], [day('05-03'), 'failed'], [day('05-04')]],
    retention: { keepLast: 1, failedBackupsHistoryLimit: 2 },
    now: day('05-05'),
    deleted: [day('05-01')],
  },
  {
    name: 'failed Backups do not count as completed for keepLast or the floor',
    items: [[day('05-01')], [day('05-02')], [day('05-03'), 'failed'], [day('05-04'), 'failed']],
    retention: { keepLast: 1, minCompleted: 1 },
    now: day('05-05'),
    deleted: [day('05-01')],
  },
  {
    name: 'unfinished Backups are never counted or deleted',
    items: [[day('05-01'), 'running'], [day('05-02'), 'scheduled'], [day('05-03'), 'new'], [day('05-04')]],
    retention: { keepLast: 1, failedBackupsHistoryLimit: 0 },
    now: day('05-05'),
    deleted: [],
  },
  {
    name: 'the protected last Backup stays whatever the rules say',
    items: [[day('05-01'), 'failed'], [day('05-02')], [day('05-03')]],
    retention: { keepLast: 1, failedBackupsHistoryLimit: 0 },
    now: day('05-04'),
    protect: day('05-01'),
    deleted: [day('05-02')],
  },
];

describe('decideGfsRetention (restic forget semantics)', () => {
  for (const c of cases) {
    it(c.name, () => {
      const result = decideGfsRetention(snapshots(c.items), {
        now: Date.parse(c.now),
        policy: policy(c.retention),
        timeZone: c.timeZone ?? 'UTC',
        protectedNames: new Set(c.protect === undefined ? [] : [`nightly-${stamp(c.protect)}`]),
      });
      assert.deepEqual(result.deletions.map((d) => d.name).sort(), c.deleted.map((slot) => `nightly-${stamp(slot)}`).sort());
      assert.equal(result.nextExpiry, c.nextExpiry === undefined ? null : Date.parse(c.nextExpiry));
    });
  }

  it('says for each deletion which rule let it go and why', () => {
    const items: Item[] = [[day('05-01', '00')], [day('05-01', '12')], [day('05-02', '00')], [day('05-03', '00'), 'failed']];
    const result = decideGfsRetention(snapshots(items), {
      now: Date.parse(day('05-04')),
      policy: policy({ keepLast: 1, keepDaily: 2, keepWithin: '1h', failedBackupsHistoryLimit: 0 }),
      timeZone: 'UTC',
      protectedNames: new Set(),
    });
    const reasons = Object.fromEntries(result.deletions.map((d) => [d.name, { reason: d.reason, rule: d.rule }]));
    assert.deepEqual(reasons, {
      'nightly-2024-05-01t00-00-00': {
        rule: 'retention',
        reason:
          'retention: no rule keeps it (keepWithin 1h: its slot is not after 2024-05-01T23:00:00Z; keepLast 1: the newest 1 Backup is kept; ' +
          'keepDaily 2: day 2024-05-01 is kept by nightly-2024-05-01t12-00-00)',
      },
      'nightly-2024-05-03t00-00-00': {
        rule: 'failedBackupsHistoryLimit',
        reason: 'retention.failedBackupsHistoryLimit 0: failed, beyond the newest 0 failed or invalid',
      },
    });
  });

  it('names the bucket in the schedule zone', () => {
    const result = decideGfsRetention(snapshots([[day('05-01', '17')], [day('05-01', '20')], [day('05-02', '17')]]), {
      now: Date.parse(day('05-03')),
      policy: policy({ keepDaily: 5 }),
      timeZone: 'Asia/Kolkata',
      protectedNames: new Set(),
    });
    assert.deepEqual(
      result.deletions.map((d) => d.reason),
      ['retention: no rule keeps it (keepDaily 5: day 2024-05-02 (Asia/Kolkata) is kept by nightly-2024-05-02t17-00-00)'],
    );
  });
});

describe('decideGfsCompactRetention', () => {
  const kept = snapshots([['2024-05-01T01:00:00Z'], ['2024-05-01T02:00:00Z']]);
  // 01:00 goes, so the oldest Complete snapshot kept is 02:00, committed 02:00:10 (test builder).
  const deletions = [{ name: `nightly-${stamp('2024-05-01T01:00:00Z')}`, reason: 'test', rule: 'retention' as const }];
  const compact = (name: string, endAt: string | null, extra: Partial<ObservedCompact> = {}): ObservedCompact => ({
    name,
    object: {},
    deleting: false,
    state: 'complete',
    startAt: null,
    endAt: endAt === null ? null : Date.parse(endAt),
    ...extra,
  });
  const compacts = [
    compact('ended-before', '2024-05-01T01:00:00Z'),
    compact('ended-at-its-commit', '2024-05-01T02:00:10Z'),
    compact('ended-after', '2024-05-01T02:00:11Z'),
    compact('failed-before', '2024-05-01T00:30:00Z', { state: 'failed' }),
    compact('running-before', '2024-05-01T00:30:00Z', { state: 'unfinished' }),
    compact('deleting-before', '2024-05-01T00:30:00Z', { deleting: true }),
    compact('unreadable-end', null),
    compact('protected-before', '2024-05-01T00:30:00Z'),
  ];
  it('retires finished windows that ended at or before the oldest Complete snapshot kept, never running, deleted, unreadable or protected ones', () => {
    const result = decideGfsCompactRetention(compacts, { snapshots: kept, deletions, protectedNames: new Set(['protected-before']) });
    assert.deepEqual(result.map((d) => d.name).sort(), ['ended-at-its-commit', 'ended-before', 'failed-before']);
  });
  it('retires windows before a pinned snapshot too: a pin keeps the snapshot, not the log and compactions from it', () => {
    const withPin = snapshots([['2024-05-01T00:00:00Z', 'complete', 'pinned'], ['2024-05-01T01:00:00Z'], ['2024-05-01T02:00:00Z']]);
    const result = decideGfsCompactRetention([compact('ended-before-the-kept', '2024-05-01T01:30:00Z')], { snapshots: withPin, deletions, protectedNames: new Set() });
    assert.deepEqual(result.map((d) => d.name), ['ended-before-the-kept']);
  });
  it('retires nothing without a Complete snapshot kept', () => {
    assert.deepEqual(decideGfsCompactRetention(compacts, { snapshots: [], deletions: [], protectedNames: new Set() }), []);
  });
});

describe('decideGfsRetention: what takes a place in the rules', () => {
  const decide = (backups: readonly SnapshotBackup[], retention: JsonObject, now: string, protect: string[] = []): { deleted: string[]; nextExpiry: number | null } => {
    const result = decideGfsRetention(backups, { now: Date.parse(now), policy: policy(retention), timeZone: 'UTC', protectedNames: new Set(protect.map((slot) => `nightly-${stamp(slot)}`)) });
    return { deleted: result.deletions.map((d) => d.name).sort(), nextExpiry: result.nextExpiry };
  };
  const names = (...slots: string[]): string[] => slots.map((slot) => `nightly-${stamp(slot)}`).sort();

  it('keepWithin finds the newest completed slot and the next expiry whatever order the Backups come in', () => {
    const given = snapshots([[day('05-03')], [day('05-09')], [day('05-01')], [day('05-08')], [day('05-02')]]);
    const bySlot = new Map(given.map((b) => [b.slot, b]));
    const order = [day('05-03'), day('05-09'), day('05-01'), day('05-08'), day('05-02')].map((slot) => bySlot.get(Date.parse(slot)) as SnapshotBackup);
    for (const backups of [order, [...order].reverse()]) {
      assert.deepEqual(decide(backups, { keepWithin: '24h' }, day('05-03', '12')), { deleted: names(day('05-01'), day('05-02')), nextExpiry: Date.parse(day('05-08')) });
    }
  });

  it('a Backup being deleted takes no place in a count and is not deleted again', () => {
    const map = Object.fromEntries(
      [day('05-01'), day('05-02'), day('05-03')].map((slot) => [`db/${slot}`, backup({ slot, state: 'complete', ...(slot === day('05-03') ? { deleting: day('05-04') } : {}) })]),
    );
    const backups = observeChildren(parent, { 'Backup.pingcap.com/v1alpha1': map }).backups.filter((b): b is SnapshotBackup => b.role === 'snapshot');
    assert.deepEqual(decide(backups, { keepLast: 1 }, day('05-05')).deleted, names(day('05-01')));
  });

  it('the protected last Backup stays even when it is a completed one the rules let go', () => {
    assert.deepEqual(decide(snapshots(daily('2024-05-01', '2024-05-03')), { keepLast: 1 }, day('05-04'), [day('05-01')]).deleted, names(day('05-02')));
  });
});

describe('decideGfsRetention: why a full bucket rule lets a Backup go', () => {
  const cases: ReadonlyArray<{ retention: JsonObject; items: Item[]; deleted: string; reason: string }> = [
    { retention: { keepHourly: 2 }, items: [[day('05-01', '00')], [day('05-01', '01')], [day('05-01', '02')]], deleted: day('05-01', '00'), reason: 'keepHourly 2: the newest 2 hours are kept' },
    { retention: { keepDaily: 1 }, items: [[day('05-01')], [day('05-02')]], deleted: day('05-01'), reason: 'keepDaily 1: the newest 1 day is kept' },
    { retention: { keepWeekly: 1 }, items: [[day('05-01')], [day('05-08')]], deleted: day('05-01'), reason: 'keepWeekly 1: the newest 1 week is kept' },
    { retention: { keepMonthly: 2 }, items: [[day('03-01')], [day('04-01')], [day('05-01')]], deleted: day('03-01'), reason: 'keepMonthly 2: the newest 2 months are kept' },
    { retention: { keepYearly: 1 }, items: [['2023-05-01T00:00:00Z'], [day('05-01')]], deleted: '2023-05-01T00:00:00Z', reason: 'keepYearly 1: the newest 1 year is kept' },
    { retention: { keepHourly: 5 }, items: [[day('05-01', '00')], [day('05-01', '01')], [day('05-01', '01').replace(':00:00Z', ':30:00Z')]], deleted: day('05-01', '01'), reason: 'keepHourly 5: hour 2024-05-01T01h is kept by nightly-2024-05-01t01-30-00' },
  ];
  for (const c of cases) {
    it(c.reason, () => {
      const result = decideGfsRetention(snapshots(c.items), { now: Date.parse(day('05-06')), policy: policy(c.retention), timeZone: 'UTC', protectedNames: new Set() });
      assert.deepEqual(result.deletions, [{ name: `nightly-${stamp(c.deleted)}`, reason: `retention: no rule keeps it (${c.reason})`, rule: 'retention' }]);
    });
  }
});

describe('decideGfsCompactRetention says why', () => {
  it('names the window end, the oldest snapshot kept and its commit', () => {
    const kept = snapshots([['2024-05-01T02:00:00Z']]);
    const compact: ObservedCompact = { name: 'c1', object: {}, deleting: false, state: 'complete', startAt: null, endAt: Date.parse('2024-05-01T01:00:00Z') };
    assert.deepEqual(decideGfsCompactRetention([compact], { snapshots: kept, deletions: [], protectedNames: new Set() }), [
      {
        name: 'c1',
        reason: 'retention: CompactBackup window ended 2024-05-01T01:00:00Z, before nightly-2024-05-01t02-00-00, the oldest snapshot kept, committed at 2024-05-01T02:00:10Z',
        rule: 'retention',
      },
    ]);
  });
});
