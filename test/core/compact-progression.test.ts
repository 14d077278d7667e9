/**
 * Compaction across several syncs, as Metacontroller and TiDB Operator would carry it: each sync's answered status is
 * the next request's status, a CompactBackup the answer asks for exists in the next request, and TiDB Operator moves it
 * to Complete (status.endTs) in between. The windows follow each other from the log's start, never overlap, never run
 * two at a time, and run at most once per compactInterval.
 */

import assert from 'node:assert/strict';

import { sync } from '../../src/core/sync.js';
import type { BackupScheduleStatus, KubeObject, SyncResponse } from '../../src/core/types.js';
import { BR_TEMPLATE, COMPACT_TEMPLATE, LOG_TEMPLATE, compactBackup, logBackup, request, schedule, withCompacts } from '../support/objects.js';

const LOG_START = '2024-05-01T00:00:00Z';
// A yearly snapshot schedule: no snapshot is due in these hours, so every answer is about compaction.
const SPEC = { schedule: '0 0 1 1 *', backupTemplate: BR_TEMPLATE, logBackupTemplate: LOG_TEMPLATE, compactBackupTemplate: COMPACT_TEMPLATE, compactInterval: '2h' };

/** One sync: its instant, the log's checkpoint, what TiDB Operator did to the running CompactBackup before it, and what the answer does. */
interface Step {
  now: string;
  checkpoint: string;
  /** The running CompactBackup finished before this sync, having compacted up to this instant (status.endTs). */
  completeUntil?: string;
  expect: { created: { name: string; startTs: string; endTs: string } | null; lastCompactProgress: string; resyncBy?: string };
}

const STEPS: Step[] = [
  { now: '2024-05-01T01:30:00Z', checkpoint: '2024-05-01T01:29:00Z', expect: { created: null, lastCompactProgress: LOG_START } },
  {
    now: '2024-05-01T02:05:00Z',
    checkpoint: '2024-05-01T02:04:00Z',
    expect: { created: { name: 'compact-nightly-2024-05-01t00-00-00', startTs: '2024-05-01 00:00:00', endTs: '2024-05-01 02:04:00' }, lastCompactProgress: LOG_START },
  },
  { now: '2024-05-01T04:30:00Z', checkpoint: '2024-05-01T04:29:00Z', expect: { created: null, lastCompactProgress: LOG_START } },
  {
    now: '2024-05-01T04:40:00Z',
    checkpoint: '2024-05-01T04:39:00Z',
    completeUntil: '2024-05-01T02:03:50Z',
    expect: { created: { name: 'compact-nightly-2024-05-01t02-03-50', startTs: '2024-05-01 02:03:50', endTs: '2024-05-01 04:39:00' }, lastCompactProgress: '2024-05-01T02:03:50Z' },
  },
  {
    now: '2024-05-01T05:00:00Z',
    checkpoint: '2024-05-01T04:59:00Z',
    completeUntil: '2024-05-01T04:39:00Z',
    expect: { created: null, lastCompactProgress: '2024-05-01T04:39:00Z', resyncBy: '2024-05-01T06:40:00Z' },
  },
  {
    now: '2024-05-01T06:40:00Z',
    checkpoint: '2024-05-01T06:39:00Z',
    expect: { created: { name: 'compact-nightly-2024-05-01t04-39-00', startTs: '2024-05-01 04:39:00', endTs: '2024-05-01 06:39:00' }, lastCompactProgress: '2024-05-01T04:39:00Z' },
  },
];

describe('compaction across several syncs', () => {
  it('windows follow each other from the log start: one at a time, once per interval, each from what the last compacted', () => {
    let status: BackupScheduleStatus = { logBackup: 'log-nightly', logBackupStartTs: LOG_START };
    const compacts: KubeObject[] = [];
    for (const step of STEPS) {
      if (step.completeUntil !== undefined) {
        const running = compacts.at(-1);
        assert.ok(running !== undefined, `${step.now}: a CompactBackup runs`);
        running.status = { state: 'Complete', endTs: compactedTso(step.completeUntil) };
      }
      const req = withCompacts(
        request(schedule({ spec: SPEC, status, created: '2024-04-30T00:00:00Z' }), [logBackup({ start: LOG_START, checkpoint: step.checkpoint })]),
        compacts,
      );
      const answer: SyncResponse = sync(req, { now: Date.parse(step.now) });
      const observed = new Set(compacts.map((c) => c.metadata?.name));
      const created = answer.children.filter((c) => c.kind === 'CompactBackup' && !observed.has(c.metadata.name));
      const spec = created[0]?.spec as { startTs?: string; endTs?: string } | undefined;
      assert.deepEqual(
        created.length === 0 ? null : { name: created[0]?.metadata.name, startTs: spec?.startTs, endTs: spec?.endTs },
        step.expect.created,
        `${step.now}: the CompactBackup asked for`,
      );
      assert.equal(answer.status.lastCompactProgress ?? LOG_START, step.expect.lastCompactProgress, `${step.now}: lastCompactProgress`);
      if (step.expect.resyncBy !== undefined) {
        assert.ok(answer.resyncAfterSeconds !== undefined && Date.parse(step.now) + answer.resyncAfterSeconds * 1000 <= Date.parse(step.expect.resyncBy), `${step.now}: syncs again by ${step.expect.resyncBy}`);
      }
      // Metacontroller: the answered status is stored; the asked-for CompactBackup is created and starts running.
      status = answer.status;
      for (const child of created) {
        const { startTs, endTs } = child.spec as { startTs: string; endTs: string };
        const made = compactBackup({ start: isoOf(startTs), end: isoOf(endTs), state: 'Running', name: child.metadata.name });
        compacts.push(made);
      }
    }
  });
});

/** isoOf turns a compact time `2006-01-02 15:04:05` (UTC) into RFC 3339. */
function isoOf(tsTime: string): string {
  return `${tsTime.replace(' ', 'T')}Z`;
}

/** compactedTso writes an instant as the TSO BR reports in status.endTs. */
function compactedTso(iso: string): string {
  return (BigInt(Date.parse(iso)) << 18n).toString();
}
