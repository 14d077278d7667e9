/**
 * The call-back properties over a wide family of requests (fast-check, seeded): every retention kind, pins, backup-now
 * Backups created by a cluster clock ahead of the hook's, Backups being deleted, a log backup with compaction, time
 * zones, backupTimeout, pause and startingDeadlineSeconds together. Each request is drawn from one integer seed, so
 * a failure names the seed that rebuilds it.
 */

import fc from 'fast-check';

import type { JsonObject, KubeObject, SyncRequest } from '../../src/core/types.js';
import { propertyTimeout } from '../support/property-runs.js';
import { seededDraws } from '../support/seeded-draws.js';
import { itKeepsItsCallBacks } from '../support/call-backs.js';
import { BR_TEMPLATE, COMPACT_TEMPLATE, LOG_TEMPLATE, backup, compactBackup, logBackup, request, schedule, tsoAt, withCompacts } from '../support/objects.js';

const BASE = Date.parse('2024-05-10T00:00:00Z');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

function build(seed: number): { req: SyncRequest; now: number } {
  const { next, pick } = seededDraws(seed);
  const now = BASE + Math.floor(next() * 240) * MINUTE + Math.floor(next() * 60) * 1000;
  const children: KubeObject[] = [];
  const names = new Set<string>();
  for (let i = 0, n = Math.floor(next() * 10); i < n; i++) {
    const slot = now - Math.floor(next() * 48) * 30 * MINUTE + (next() < 0.1 ? MINUTE : 0); // some a minute ahead
    const state = pick(['complete', 'complete', 'failed', 'running', 'new'] as const);
    const created = iso(slot + pick([2000, 2000, 90_000]));
    const token = `t${i}`;
    const child =
      next() < 0.2
        ? backup({ slot: created, created, state, name: `nightly-manual-${token}`, annotate: false, annotations: { 'backup-schedule-hook/backup-now': token } })
        : backup({ slot: iso(slot), state, created, ...(next() < 0.2 ? { commitTs: tsoAt(iso(slot + pick([-HOUR, MINUTE, 2 * HOUR]))) } : {}) });
    const metadata = (child.metadata ??= {});
    if (next() < 0.1) metadata.annotations = { ...metadata.annotations, 'backup-schedule-hook/keep': 'true' };
    if (next() < 0.05) metadata.deletionTimestamp = iso(now - pick([1000, 2 * HOUR]));
    if (names.has(metadata.name ?? '')) continue;
    names.add(metadata.name ?? '');
    children.push(child);
  }
  const withLog = next() < 0.4;
  const logStart = iso(now - 24 * HOUR);
  if (withLog && next() < 0.85) children.push(logBackup({ start: logStart, checkpoint: iso(now - Math.floor(next() * 4) * 30 * MINUTE + (next() < 0.2 ? 90_000 : 0)) }));
  const spec: JsonObject = { schedule: pick(['0 * * * *', '0 0 * * *', '*/30 * * * *', '@every 45m', '0 2 * * *']), backupTemplate: BR_TEMPLATE };
  const policy = next();
  if (policy < 0.3) spec['maxReservedTime'] = pick(['1h', '24h', '3h']);
  else if (policy < 0.55) spec['maxBackups'] = pick([1, 2, 3]);
  else if (policy < 0.85) {
    spec['retention'] = pick([{ keepLast: 2 }, { keepWithin: '5h', minCompleted: 0 }, { keepHourly: 3 }, { keepWithin: '2h', failedBackupsHistoryLimit: 0 }, { keepDaily: 1, keepWithin: '1h' }]);
  }
  if (next() < 0.3) spec['timeZone'] = pick(['America/New_York', 'Asia/Kolkata']);
  if (next() < 0.3) spec['backupTimeout'] = pick(['1h', '3h']);
  if (next() < 0.2) spec['pause'] = true;
  if (next() < 0.2) spec['startingDeadlineSeconds'] = pick([600, 3600]);
  if (withLog) {
    spec['logBackupTemplate'] = LOG_TEMPLATE;
    if (next() < 0.6) {
      spec['compactBackupTemplate'] = COMPACT_TEMPLATE;
      spec['compactInterval'] = pick(['1h', '30m']);
    }
  }
  const status: JsonObject = {};
  const scheduled = children.filter((c) => c.metadata?.annotations?.['backup-schedule-hook/scheduled-at'] !== undefined);
  if (next() < 0.7 && scheduled.length > 0) {
    const last = pick(scheduled);
    status['lastBackup'] = last.metadata?.name ?? '';
    status['lastBackupTime'] = last.metadata?.annotations?.['backup-schedule-hook/scheduled-at'] ?? '';
  }
  if (withLog) {
    status['logBackup'] = 'log-nightly';
    status['logBackupStartTs'] = next() < 0.8 ? logStart : iso(now - Math.floor(next() * 10) * MINUTE);
  }
  const annotations = next() < 0.15 ? { 'backup-schedule-hook/backup-now': 'tok' } : undefined;
  const req = request(schedule({ spec, status, ...(annotations === undefined ? {} : { annotations }) }), children);
  if (spec['compactBackupTemplate'] !== undefined) {
    const compacts: KubeObject[] = [];
    for (let c = 0, n = Math.floor(next() * 4); c < n; c++) {
      const start = Date.parse(logStart) + c * HOUR;
      const state = pick(['Complete', 'Failed', 'Complete', 'Running'] as const);
      compacts.push(compactBackup({ start: iso(start), end: iso(start + HOUR), state, logStart, created: iso(pick([start + HOUR + 100_000, now - 10 * MINUTE, now + 30_000])) }));
    }
    withCompacts(req, compacts);
  }
  return { req, now };
}

describe('call-backs over a wide family of requests (all retention kinds, log and compaction, clocks apart)', function () {
  // Hundreds of generated requests each: on a 2-core machine shared with other work this took over 20 s.
  this.timeout(propertyTimeout(120_000));
  itKeepsItsCallBacks({ arbitrary: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), build, seed: 7707, numRuns: 6000 });
});
