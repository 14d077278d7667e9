/**
 * The log and compaction checks (invariants 7–9) and the log/compact executors in a world: the real hook passes them
 * with a log Backup someone deletes, a stalled checkpoint, failing compactions and a backup-now request; each
 * deliberately broken hook fails the invariant it breaks and no other.
 */

import assert from 'node:assert/strict';

import { isLogBackup } from '../../src/core/backup-state.js';
import { parseTime } from '../../src/core/time.js';
import type { Condition } from '../../src/core/types.js';
import { runChecked } from '../../src/sim/invariants/run.js';
import type { InvariantNumber } from '../../src/sim/invariants/types.js';
import { HEALTHY_EXECUTOR } from '../../src/sim/scenario.js';
import type { Scenario } from '../../src/sim/scenario.js';
import { runScenario } from '../../src/sim/world.js';
import type { SyncObservation } from '../../src/sim/metacontroller.js';
import { brokenLogHooks } from './support/broken-hooks.js';
import { describeViolations } from './support/property-run.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const TEMPLATE = { backupType: 'full', br: { cluster: 'basic', clusterNamespace: 'tidb-cluster' }, s3: { bucket: 'backups', prefix: 'nightly' } };
const LOG_DELETED_AT = 4 * DAY + HOUR;

const SCENARIO: Scenario = {
  seed: 11,
  start: '2024-05-01T00:00:00Z',
  durationMs: 12 * DAY,
  controller: 'hook',
  schedule: {
    name: 'nightly',
    namespace: 'db',
    spec: {
      schedule: '0 */4 * * *',
      maxReservedTime: '24h',
      backupTemplate: { ...TEMPLATE, cleanPolicy: 'Delete' },
      logBackupTemplate: { ...TEMPLATE, backupMode: 'log' },
      compactBackupTemplate: { ...TEMPLATE, maxRetryTimes: 1 },
      compactInterval: '6h',
    },
  },
  hook: { staleViewGraceMs: 300_000, handoverLabelKey: 'backup-schedule-hook/controller' },
  metacontroller: { resyncPeriodSeconds: 300, updateStrategy: 'InPlace', compactBackups: { updateStrategy: 'OnDelete' } },
  transport: { latencyMs: [1, 30], timeoutMs: 10_000 },
  lag: { parentMs: [0, 5000], childAddedMs: [0, 20_000], childChangedMs: [0, 5000] },
  executor: {
    ...HEALTHY_EXECUTOR,
    failRate: 0.1,
    log: { startMs: [5000, 30_000], checkpointEveryMs: HOUR, checkpointLagMs: [2000, 180_000], truncateMs: [30_000, 120_000] },
    compact: { runMs: [2 * 60_000, 20 * 60_000], failRate: 0.4 },
  },
  faults: [
    { kind: 'hook-restart', atMs: 2 * DAY, forMs: 3 * HOUR },
    { kind: 'log-deleted', atMs: LOG_DELETED_AT },
    { kind: 'log-stall', atMs: 6 * DAY, forMs: 6 * HOUR },
    { kind: 'backup-now', atMs: 7 * DAY + 90 * 60_000, token: 'now1' },
  ],
};

const ALL: InvariantNumber[] = [1, 2, 3, 4, 5, 7, 8, 9];

describe('sim log and compaction checks (invariants 7–9)', function () {
  this.timeout(0);

  it('find nothing wrong with the real hook: a deleted log Backup, a stalled checkpoint, failing compactions, backup-now', async () => {
    const { violations, world } = await runChecked({ invariants: [1, 2, 3, 4, 5, 6, 7, 8, 9], scenario: SCENARIO });
    assert.deepEqual(describeViolations(violations), []);
    const compacts = world.store.list('CompactBackup', 'db');
    assert.ok(compacts.length > 0, 'the run compacted');
    const log = world.store.list('Backup', 'db').find(isLogBackup);
    assert.ok(log?.spec?.['logTruncateUntil'] !== undefined && log.status?.['logSuccessTruncateUntil'] === log.spec['logTruncateUntil'], 'the log was truncated, and the truncation ran');
  });

  it('reports the deleted log Backup as LogBackupMissing and asks for a new one with a new start once the grace is over', async () => {
    const syncs: SyncObservation[] = [];
    const created: Array<{ uid: string; at: number }> = [];
    const world = await runScenario({ ...SCENARIO, durationMs: LOG_DELETED_AT + DAY }, {
      observers: [
        { onSync: (s) => void syncs.push(s) },
        { onStoreEvent: (e) => void (e.type === 'added' && isLogBackup(e.object) && created.push({ uid: e.object.metadata?.uid ?? '', at: e.at })) },
      ],
    });
    const deletedAt = world.start + LOG_DELETED_AT;
    const missing = syncs.filter((s) => s.appliedAt >= deletedAt && s.answer.status === 200 && ((s.answer.body as { status?: { conditions?: Condition[] } }).status?.conditions ?? []).some((c) => c.type === 'LogBackupMissing' && c.status === 'True'));
    assert.ok(missing.length > 0, 'LogBackupMissing=True was answered');
    const again = created.filter((c) => c.at > deletedAt);
    assert.equal(again.length, 1, 'one new log Backup');
    const startBefore = parseTime(syncs.find((s) => s.appliedAt < deletedAt && s.request.parent.status?.logBackupStartTs !== undefined)?.request.parent.status?.logBackupStartTs);
    const startAfter = parseTime(world.store.get(world.parentKey)?.status?.['logBackupStartTs']);
    assert.ok(startBefore !== null && startAfter !== null && startAfter > startBefore, 'status.logBackupStartTs moved to the new start');
    const grace = SCENARIO.hook.staleViewGraceMs;
    assert.ok((again[0]?.at ?? Infinity) - deletedAt < grace + 5 * 60_000, 'asked for within the grace and a few lags');
  });

  for (const broken of brokenLogHooks(SCENARIO.hook)) {
    it(`catch a hook that ${broken.name} (invariant ${broken.breaks})`, async () => {
      const { violations } = await runChecked({ invariants: ALL, scenario: SCENARIO }, { hook: broken.hook });
      const flagged = new Set<number>(violations.map((v) => v.invariant));
      assert.ok(flagged.has(broken.breaks), `invariant ${broken.breaks} flags it`);
      const unexpected = describeViolations(violations.filter((v) => v.invariant !== broken.breaks && !(broken.alsoBreaks ?? []).includes(v.invariant)));
      assert.deepEqual(unexpected, [], 'no other invariant flags it');
    });
  }
});
