import assert from 'node:assert/strict';

import { DEFERRED_DELETIONS_CALL_BACK_MS, MAX_DELETIONS_PER_SYNC, batchDeletions } from '../../src/core/deletion-batch.js';
import { observeChildren } from '../../src/core/observe.js';
import type { ObservedBackup } from '../../src/core/observe.js';
import type { Deletion } from '../../src/core/retention.js';
import { backupName } from '../../src/core/names.js';
import { decide } from '../../src/core/sync.js';
import type { KubeObject, SyncRequest } from '../../src/core/types.js';
import { BR_TEMPLATE, LOG_TEMPLATE, backup, logBackup, request, schedule, tsoAt } from '../support/objects.js';

const TEN_MINUTES = 10 * 60_000;
const FIRST = Date.parse('2024-05-01T00:00:00Z');
const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

/** Backups of an every-ten-minutes schedule from 00:00, one per tick, all Complete; the last one recorded in the status. */
function schedulesWith(count: number, options: { maxReservedTime: string }): { req: SyncRequest; slots: string[] } {
  const slots = Array.from({ length: count }, (_, i) => iso(FIRST + i * TEN_MINUTES));
  const last = slots.at(-1)!;
  const parent = schedule({
    spec: { schedule: '*/10 * * * *', backupTemplate: BR_TEMPLATE, maxReservedTime: options.maxReservedTime },
    status: { lastBackup: backupName('nightly', Date.parse(last)), lastBackupTime: last },
  });
  return { req: request(parent, slots.map((slot) => backup({ slot }))), slots };
}

function namesOf(children: ReadonlyArray<KubeObject | { metadata: { name?: string } }>): Set<string> {
  return new Set(children.map((c) => c.metadata?.name ?? ''));
}

describe('retention deletes at most a batch of Backups per answer', () => {
  it('leaves out only the oldest expired Backups, creates the due tick all the same, and asks to be called back soon', () => {
    const count = MAX_DELETIONS_PER_SYNC + 20;
    const { req, slots } = schedulesWith(count, { maxReservedTime: '1h' });
    // 10 minutes after the last slot: every Backup older than an hour has expired (all but the newest six or so).
    const now = FIRST + count * TEN_MINUTES + 5_000;
    const { response, report } = decide(structuredClone(req), { now });
    const observed = namesOf(Object.values(req.children['Backup.pingcap.com/v1alpha1']!));
    const desired = namesOf(response.children);
    const dropped = [...observed].filter((n) => !desired.has(n)).sort();
    assert.equal(dropped.length, MAX_DELETIONS_PER_SYNC);
    assert.deepEqual(dropped, [...observed].sort().slice(0, MAX_DELETIONS_PER_SYNC), 'the oldest go first');
    assert.equal(report.deletions.length, MAX_DELETIONS_PER_SYNC);
    assert.ok(report.deferredDeletions > 0, 'some expired Backups are left for the next sync');
    assert.equal(report.created, backupName('nightly', FIRST + count * TEN_MINUTES));
    assert.ok(response.resyncAfterSeconds !== undefined && response.resyncAfterSeconds <= 10, `called back after ${response.resyncAfterSeconds} s`);
    assert.ok(slots.length > MAX_DELETIONS_PER_SYNC);
  });

  it('deletes the rest in the next sync, once the view no longer shows the batch', () => {
    const count = MAX_DELETIONS_PER_SYNC + 20;
    const { req } = schedulesWith(count, { maxReservedTime: '1h' });
    const now = FIRST + count * TEN_MINUTES + 5_000;
    const first = decide(structuredClone(req), { now });
    const desired = namesOf(first.response.children);
    const next = structuredClone(req);
    const map = next.children['Backup.pingcap.com/v1alpha1']!;
    for (const key of Object.keys(map)) if (!desired.has(map[key]!.metadata!.name!)) delete map[key];
    next.parent.status = first.response.status;
    const second = decide(next, { now: now + 10_000 });
    assert.equal(second.report.deferredDeletions, 0);
    const left = [...namesOf(Object.values(map))].filter((n) => !namesOf(second.response.children).has(n));
    assert.ok(left.length >= first.report.deferredDeletions, `${left.length} deleted now, ${first.report.deferredDeletions} deferred`);
    // Nothing more than an hour (and the minute a Backup takes to finish) old is left.
    const kept = second.response.children.map((c) => c.metadata.annotations?.['backup-schedule-hook/scheduled-at']).filter((t): t is string => t !== undefined);
    for (const slot of kept) assert.ok(Date.parse(slot) >= now + 10_000 - 61 * 60_000, `${slot} kept past maxReservedTime`);
  });

  it('reads a limit below 1 (or not a number) as the default, never as a batch that deletes nothing', () => {
    const count = MAX_DELETIONS_PER_SYNC + 20;
    const { req } = schedulesWith(count, { maxReservedTime: '1h' });
    const now = FIRST + count * TEN_MINUTES + 5_000;
    for (const maxDeletionsPerSync of [0, -5, Number.NaN]) {
      assert.equal(decide(structuredClone(req), { now, maxDeletionsPerSync }).report.deletions.length, MAX_DELETIONS_PER_SYNC, `limit ${maxDeletionsPerSync}`);
    }
  });

  it('asks to be called back after DEFERRED_DELETIONS_CALL_BACK_MS when nothing else is due sooner', () => {
    const count = MAX_DELETIONS_PER_SYNC + 20;
    const { req } = schedulesWith(count, { maxReservedTime: '1h' });
    // Mid-interval: the next tick is minutes away, the deferred deletions are not.
    const { response, report } = decide(structuredClone(req), { now: FIRST + (count - 1) * TEN_MINUTES + 5 * 60_000 });
    assert.ok(report.deferredDeletions > 0);
    assert.equal(response.resyncAfterSeconds, DEFERRED_DELETIONS_CALL_BACK_MS / 1000);
  });

  it('deletes no more than a limit given below the default', () => {
    const { req } = schedulesWith(MAX_DELETIONS_PER_SYNC + 20, { maxReservedTime: '1h' });
    const { report } = decide(structuredClone(req), { now: FIRST + (MAX_DELETIONS_PER_SYNC + 20) * TEN_MINUTES + 5_000, maxDeletionsPerSync: 2 });
    assert.equal(report.deletions.length, 2);
  });

  it('changes nothing when retention deletes no more than a batch', () => {
    const { req } = schedulesWith(MAX_DELETIONS_PER_SYNC + 6, { maxReservedTime: '1h' });
    const now = FIRST + (MAX_DELETIONS_PER_SYNC + 6) * TEN_MINUTES - TEN_MINUTES + 5_000;
    const { report } = decide(structuredClone(req), { now });
    assert.ok(report.deletions.length <= MAX_DELETIONS_PER_SYNC);
    assert.equal(report.deferredDeletions, 0);
  });
});

describe('log truncation waits for the last batch', () => {
  const logSpec = { schedule: '*/10 * * * *', backupTemplate: BR_TEMPLATE, maxBackups: 3, logBackupTemplate: LOG_TEMPLATE };
  function withLog(count: number): SyncRequest {
    const slots = Array.from({ length: count }, (_, i) => iso(FIRST + i * TEN_MINUTES));
    const last = slots.at(-1)!;
    const parent = schedule({
      spec: logSpec,
      status: { lastBackup: backupName('nightly', Date.parse(last)), lastBackupTime: last, logBackup: 'log-nightly', logBackupStartTs: iso(FIRST) },
    });
    const log = logBackup({ start: iso(FIRST), checkpoint: iso(FIRST + count * TEN_MINUTES) });
    return request(parent, [...slots.map((slot) => backup({ slot })), log]);
  }
  const truncation = (req: SyncRequest, now: number): unknown => {
    const log = decide(structuredClone(req), { now }).response.children.find((c) => c.metadata.name === 'log-nightly');
    return (log?.spec as Record<string, unknown> | undefined)?.['logTruncateUntil'];
  };

  it('does not truncate the log while deletions are left for later, and does once they all fit in one answer', () => {
    const now = FIRST + 80 * TEN_MINUTES - 60_000;
    assert.equal(truncation(withLog(MAX_DELETIONS_PER_SYNC + 20), now), undefined, 'truncated while Backups it counts on as deleted are still kept');
    assert.equal(typeof truncation(withLog(MAX_DELETIONS_PER_SYNC), now), 'string', 'no truncation once every deletion is in the answer');
  });
});

describe('batchDeletions', () => {
  const deletion = (name: string): Deletion => ({ name, reason: 'test', rule: 'maxBackups' });
  const batch = (names: string[], options: { compacts?: string[]; max?: unknown; backups?: ReadonlyMap<string, ObservedBackup> }) =>
    batchDeletions(
      { retention: { deletions: names.map(deletion), nextExpiry: null, truncateUntil: 5n }, compactDeletions: (options.compacts ?? []).map(deletion) },
      { backups: options.backups ?? new Map(), ...(options.max === undefined ? {} : { max: options.max as number }) },
    );
  const sixty = Array.from({ length: 60 }, (_, i) => `d${String(i).padStart(2, '0')}`);

  describe('asks for at most max deletions, a number of at least 1, else the default', () => {
    const cases: ReadonlyArray<{ max: unknown; kept: number }> = [
      { max: undefined, kept: MAX_DELETIONS_PER_SYNC },
      { max: 0, kept: MAX_DELETIONS_PER_SYNC },
      { max: -3, kept: MAX_DELETIONS_PER_SYNC },
      { max: Number.NaN, kept: MAX_DELETIONS_PER_SYNC },
      { max: '3', kept: MAX_DELETIONS_PER_SYNC },
      { max: 1, kept: 1 },
      { max: 2.7, kept: 2 },
    ];
    for (const c of cases) {
      it(`max ${String(c.max)}: ${c.kept}`, () => {
        const result = batch(sixty, { max: c.max });
        assert.equal(result.retention.deletions.length, c.kept);
        assert.equal(result.deferred, 60 - c.kept);
      });
    }
  });

  it('asks for all of exactly max deletions at once, truncating the log as decided', () => {
    const result = batch(['a', 'b'], { compacts: ['c'], max: 3 });
    assert.deepEqual([result.retention.deletions.length, result.compactDeletions.length, result.deferred, result.retention.truncateUntil], [2, 1, 0, 5n]);
  });

  it('asks for the oldest Backups first (by commit, then name; any not a snapshot first), then CompactBackups by name', () => {
    const children = [
      backup({ slot: '2024-05-01T00:00:00Z', commitTs: tsoAt('2024-05-01T03:00:00Z') }),
      backup({ slot: '2024-05-01T01:00:00Z', commitTs: tsoAt('2024-05-01T01:00:00Z') }),
      backup({ slot: '2024-05-01T02:00:00Z', commitTs: tsoAt('2024-05-01T01:00:00Z') }),
    ];
    const map = Object.fromEntries(children.map((c) => [`db/${c.metadata?.name}`, c]));
    const backups = new Map(observeChildren(schedule(), { 'Backup.pingcap.com/v1alpha1': map }).backups.map((b) => [b.name, b]));
    const names = ['nightly-2024-05-01t00-00-00', 'nightly-2024-05-01t02-00-00', 'nightly-2024-05-01t01-00-00', 'zz-unknown'];
    const result = batch(names, { compacts: ['c3', 'c1', 'c2'], max: 6, backups });
    assert.deepEqual(result.retention.deletions.map((d) => d.name), ['zz-unknown', 'nightly-2024-05-01t01-00-00', 'nightly-2024-05-01t02-00-00', 'nightly-2024-05-01t00-00-00']);
    assert.deepEqual(result.compactDeletions.map((d) => d.name), ['c1', 'c2']);
    assert.equal(result.deferred, 1);
    assert.equal(result.retention.truncateUntil, null, 'with deletions left for later the log is not truncated');
  });
});
