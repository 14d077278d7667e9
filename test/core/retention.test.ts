import assert from 'node:assert/strict';

import { observeChildren } from '../../src/core/observe.js';
import type { SnapshotBackup } from '../../src/core/observe.js';
import { decideRetention } from '../../src/core/retention.js';
import type { RetentionPolicy } from '../../src/core/retention.js';
import { backup, schedule } from '../support/objects.js';
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
      commitTso: null,
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
