/**
 * Properties of retention (fast-check, seeded) over random Backups, pins, policies and instants: whatever the
 * rules say, it never deletes below minCompleted completed snapshot Backups (GFS) or the newest Complete one
 * (maxReservedTime/maxBackups), never a pinned one, never the last Backup, never an unfinished one, and its
 * answer does not depend on the order the children came in.
 */

import assert from 'node:assert/strict';

import fc from 'fast-check';

import { observeChildren } from '../../src/core/observe.js';
import type { SnapshotBackup } from '../../src/core/observe.js';
import { decideRetention, newestFirst } from '../../src/core/retention.js';
import type { RetentionDecision } from '../../src/core/retention.js';
import { decideGfsRetention } from '../../src/core/retention-gfs.js';
import { readRetention } from '../../src/core/retention-spec.js';
import { backup, schedule } from '../support/objects.js';
import type { TestState } from '../support/objects.js';
import { propertyRuns } from '../support/property-runs.js';

const BASE = Date.parse('2024-01-01T00:00:00Z');
const HOUR = 3_600_000;
const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');
const parent = schedule();

const itemArb = fc.record({
  hour: fc.integer({ min: 0, max: 24 * 120 }),
  state: fc.constantFrom<TestState>('complete', 'complete', 'complete', 'failed', 'invalid', 'running', 'new'),
  pin: fc.integer({ min: 0, max: 9 }),
  deleting: fc.integer({ min: 0, max: 9 }),
});

const countArb = fc.oneof(fc.constant(0), fc.constant(0), fc.constant(-1), fc.integer({ min: 1, max: 6 }));
const gfsArb = fc
  .record({
    keepLast: countArb,
    keepHourly: countArb,
    keepDaily: countArb,
    keepWeekly: countArb,
    keepMonthly: countArb,
    keepYearly: countArb,
    keepWithin: fc.option(fc.constantFrom('1h', '24h', '168h', '2000h'), { nil: undefined }),
    minCompleted: fc.option(fc.integer({ min: 0, max: 8 }), { nil: undefined }),
    failedBackupsHistoryLimit: fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }),
  })
  .map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)));

const scenarioArb = fc.record({
  items: fc.array(itemArb, { maxLength: 40 }),
  retention: gfsArb,
  zone: fc.constantFrom('UTC', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'Pacific/Chatham'),
  upstream: fc.oneof(fc.record({ maxReservedTimeMs: fc.integer({ min: 1, max: 24 * 30 }).map((h) => h * HOUR), maxBackups: fc.constant(null) }), fc.record({ maxReservedTimeMs: fc.constant(null), maxBackups: fc.integer({ min: 1, max: 8 }) })),
  protect: fc.nat(),
  nowHour: fc.integer({ min: 0, max: 24 * 130 }),
  shuffleSeed: fc.nat(),
});

type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

function snapshotsOf(s: Scenario): SnapshotBackup[] {
  const map: Record<string, ReturnType<typeof backup>> = {};
  for (const item of s.items) {
    const slot = iso(BASE + item.hour * HOUR);
    map[`db/${slot}`] = backup({
      slot,
      state: item.state,
      ...(item.pin === 0 ? { annotations: { 'backup-schedule-hook/keep': 'true' } } : {}),
      ...(item.deleting === 0 ? { deleting: iso(BASE + (item.hour + 1) * HOUR) } : {}),
    });
  }
  return observeChildren(parent, { 'Backup.pingcap.com/v1alpha1': map }).backups.filter((b): b is SnapshotBackup => b.role === 'snapshot');
}

const pinned = (b: SnapshotBackup): boolean => b.object.metadata?.annotations?.['backup-schedule-hook/keep'] === 'true';

/** The checks every retention decision must pass. */
function assertNeverUnsafe(snapshots: readonly SnapshotBackup[], result: RetentionDecision, protectedName: string | null): Set<string> {
  const byName = new Map(snapshots.map((b) => [b.name, b]));
  const deleted = new Set(result.deletions.map((d) => d.name));
  assert.equal(deleted.size, result.deletions.length, 'a Backup is deleted once');
  for (const name of deleted) {
    const b = byName.get(name);
    assert.ok(b !== undefined, `${name} is one of the schedule's snapshot Backups`);
    assert.ok(!b.deleting, `${name} is not already being deleted`);
    assert.notEqual(b.state, 'unfinished', `${name} is not unfinished`);
    assert.ok(!pinned(b), `${name} is not pinned`);
    assert.notEqual(name, protectedName, `${name} is not the last Backup`);
  }
  for (const d of result.deletions) assert.ok(d.reason.length > 0, 'every deletion has a reason');
  return deleted;
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let x = seed || 1;
  for (let i = out.length - 1; i > 0; i--) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    const j = x % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

describe('retention floor (properties)', () => {
  it('GFS never deletes below minCompleted, a pinned, the last or an unfinished Backup, whatever the order', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const problems: string[] = [];
        const policy = readRetention({ retention: s.retention }, problems);
        fc.pre(policy !== null);
        const snapshots = snapshotsOf(s);
        const protectedName = snapshots.length === 0 ? null : (snapshots[s.protect % snapshots.length]?.name ?? null);
        const options = { now: BASE + s.nowHour * HOUR, policy, timeZone: s.zone, protectedNames: new Set(protectedName === null ? [] : [protectedName]) };
        const result = decideGfsRetention(snapshots, options);
        const deleted = assertNeverUnsafe(snapshots, result, protectedName);

        const completed = snapshots.filter((b) => !b.deleting && b.state === 'complete');
        const remaining = completed.filter((b) => !deleted.has(b.name)).length;
        assert.ok(remaining >= Math.min(policy.minCompleted, completed.length), `${remaining} completed remain, floor ${policy.minCompleted}`);

        const again = decideGfsRetention(shuffled(snapshots, s.shuffleSeed), options);
        assert.deepEqual(again.deletions.map((d) => d.name).sort(), [...deleted].sort(), 'the order of the children does not matter');
      }),
      propertyRuns({ seed: 9, numRuns: 400 }),
    );
  });

  it('maxReservedTime and maxBackups never delete the newest Complete, a pinned, the last or an unfinished Backup', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const snapshots = snapshotsOf(s);
        const protectedName = snapshots.length === 0 ? null : (snapshots[s.protect % snapshots.length]?.name ?? null);
        const options = { now: BASE + s.nowHour * HOUR, policy: s.upstream, protectedNames: new Set(protectedName === null ? [] : [protectedName]) };
        const result = decideRetention(snapshots, options);
        const deleted = assertNeverUnsafe(snapshots, result, protectedName);
        const newest = newestFirst(snapshots.filter((b) => !b.deleting && b.state === 'complete'))[0];
        if (newest !== undefined) assert.ok(!deleted.has(newest.name), 'the newest Complete stays');
        if (s.upstream.maxBackups !== null) {
          const unpinnedComplete = newestFirst(snapshots.filter((b) => !b.deleting && b.state === 'complete' && !pinned(b)));
          for (const b of unpinnedComplete.slice(0, s.upstream.maxBackups)) assert.ok(!deleted.has(b.name), 'pinned Backups take no place in maxBackups');
        }
      }),
      propertyRuns({ seed: 10, numRuns: 400 }),
    );
  });
});
