/**
 * Properties of compaction's timing (fast-check, seeded): with the hook's clock anywhere from hours behind the log's
 * checkpoint to hours ahead of it, the answer's status is a fixed point, it stays the same until the call-back it
 * asks for, and its call-backs lead somewhere (no hot loop): on an unchanged view the hook stops asking to be called
 * back within a minute.
 */

import assert from 'node:assert/strict';

import fc from 'fast-check';

import { decide } from '../../src/core/sync.js';
import type { BackupScheduleStatus, KubeObject, SyncRequest } from '../../src/core/types.js';
import { itKeepsItsCallBacks } from '../support/call-backs.js';
import { BR_TEMPLATE, COMPACT_TEMPLATE, LOG_TEMPLATE, compactBackup, logBackup, request, schedule, withCompacts } from '../support/objects.js';
import { propertyRuns } from '../support/property-runs.js';

const LOG_START = Date.parse('2024-05-01T00:00:00Z');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const INTERVAL_MS = { '1h': HOUR, '2h': 2 * HOUR, '6h': 6 * HOUR, '24h': 24 * HOUR } as const;
const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

const windowArb = fc.record({
  minutes: fc.integer({ min: 1, max: 12 * 60 }),
  state: fc.constantFrom<'Complete' | 'Failed' | 'Running'>('Complete', 'Complete', 'Failed', 'Running'),
  createdAfterMinutes: fc.integer({ min: 0, max: 6 * 60 }),
});

const scenarioArb = fc.record({
  interval: fc.constantFrom<keyof typeof INTERVAL_MS>('1h', '2h', '6h', '24h'),
  windows: fc.array(windowArb, { maxLength: 3 }),
  checkpointMs: fc.integer({ min: 30 * MINUTE, max: 3 * 24 * HOUR }),
  /** The hook's clock against the checkpoint: negative when the hook is behind the cluster. */
  hookMinusCheckpointMs: fc.integer({ min: -8 * HOUR, max: 3 * HOUR }),
  /** The last execution: anywhere before the checkpoint, or the next window due within two minutes of it. */
  executed: fc.option(
    fc.oneof(fc.record({ beforeCheckpointMs: fc.integer({ min: 0, max: 30 * HOUR }) }), fc.record({ dueAfterCheckpointMs: fc.integer({ min: -2 * MINUTE, max: 2 * MINUTE }) })),
    { nil: undefined },
  ),
  namesLast: fc.boolean(),
});

type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

function build(s: Scenario): { req: SyncRequest; now: number } {
  const checkpoint = LOG_START + s.checkpointMs;
  const compacts: KubeObject[] = [];
  let start = LOG_START;
  for (const w of s.windows) {
    const end = Math.min(start + w.minutes * MINUTE, checkpoint);
    if (end <= start) break;
    const created = Math.min(end + w.createdAfterMinutes * MINUTE, checkpoint);
    compacts.push(compactBackup({ start: iso(start), end: iso(end), state: w.state, created: iso(created), logStart: iso(LOG_START) }));
    if (w.state === 'Complete') start = end;
  }
  const status: BackupScheduleStatus = { logBackup: 'log-nightly', logBackupStartTs: iso(LOG_START) };
  const last = compacts.at(-1);
  if (s.namesLast && last !== undefined) status.lastCompact = last.metadata?.name ?? '';
  if (s.executed !== undefined) {
    const executed = 'beforeCheckpointMs' in s.executed ? checkpoint - s.executed.beforeCheckpointMs : checkpoint + s.executed.dueAfterCheckpointMs - INTERVAL_MS[s.interval];
    status.lastCompactExecutionTs = iso(Math.max(LOG_START, executed));
  }
  // A yearly snapshot schedule: no snapshot is due in these days, so the call-backs are compaction's.
  const spec = { schedule: '0 0 1 1 *', backupTemplate: BR_TEMPLATE, logBackupTemplate: LOG_TEMPLATE, compactBackupTemplate: COMPACT_TEMPLATE, compactInterval: s.interval };
  const parent = schedule({ spec, status, created: '2024-04-30T00:00:00Z' });
  const req = withCompacts(request(parent, [logBackup({ start: iso(LOG_START), checkpoint: iso(checkpoint) })]), compacts);
  return { req, now: checkpoint + s.hookMinusCheckpointMs };
}

describe('compaction timing (properties)', () => {
  it('answers a status that is a fixed point, whatever the hook clock against the checkpoint', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const { req, now } = build(s);
        const first = decide(structuredClone(req), { now }).response;
        const again = structuredClone(req);
        again.parent.status = structuredClone(first.status);
        assert.deepEqual(decide(again, { now }).response.status, first.status);
      }),
      propertyRuns({ seed: 4101, numRuns: 400 }),
    );
  });

  itKeepsItsCallBacks({ arbitrary: scenarioArb, build, seed: 4102, numRuns: 600 });
});
