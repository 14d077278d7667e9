/**
 * Properties of the sync decision with the extension fields (fast-check, seeded): random time zones, GFS
 * retention, pins, backupTimeout, startingDeadlineSeconds, skipMissedOnUnpause, schedule edits and backup-now
 * requests. The answer is valid and deterministic, its status is a fixed point (answering a request that
 * carries it gives it back), it never drops an unfinished, pinned or last Backup, and its call-backs lead somewhere
 * (no hot loop).
 */

import assert from 'node:assert/strict';

import fc from 'fast-check';

import { snapshotState } from '../../src/core/backup-state.js';
import { parseSchedule } from '../../src/core/schedule.js';
import { scheduleHash } from '../../src/core/schedule-edit.js';
import { decide } from '../../src/core/sync.js';
import { parseTime } from '../../src/core/time.js';
import type { BackupScheduleStatus, JsonObject, KubeObject, SyncRequest } from '../../src/core/types.js';
import { BR_TEMPLATE, backup, request, schedule, stamp } from '../support/objects.js';
import type { TestState } from '../support/objects.js';
import { itKeepsItsCallBacks } from '../support/call-backs.js';
import { propertyRuns } from '../support/property-runs.js';
import { assertValidResponse } from '../support/response-schema.js';

const BASE = Date.parse('2024-03-01T00:00:00Z');
const MINUTE = 60_000;
const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');
const KEEP = 'backup-schedule-hook/keep';
const NOW = 'backup-schedule-hook/backup-now';

const childArb = fc.record({
  minute: fc.integer({ min: 0, max: 10 * 24 * 60 }),
  state: fc.constantFrom<TestState>('new', 'scheduled', 'running', 'complete', 'complete', 'failed', 'invalid'),
  pinned: fc.integer({ min: 0, max: 5 }),
  deleting: fc.integer({ min: 0, max: 7 }),
  manual: fc.integer({ min: 0, max: 9 }),
});

const scenarioArb = fc.record({
  expression: fc.constantFrom('*/10 * * * *', '0 * * * *', '30 2 * * *', '30 1 * * *', '0 0 * * 0', '@every 45m', '@daily'),
  timeZone: fc.option(fc.constantFrom('UTC', 'America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Asia/Kolkata', 'Pacific/Chatham'), { nil: undefined }),
  retention: fc.option(
    fc.record({ keepLast: fc.integer({ min: -1, max: 4 }), keepDaily: fc.integer({ min: 0, max: 5 }), keepWeekly: fc.integer({ min: 0, max: 3 }), minCompleted: fc.integer({ min: 0, max: 4 }) }),
    { nil: undefined },
  ),
  maxBackups: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
  backupTimeout: fc.option(fc.constantFrom('30m', '2h', '12h'), { nil: undefined }),
  startingDeadlineSeconds: fc.option(fc.constantFrom(0, 60, 600, 7200), { nil: undefined }),
  skipMissedOnUnpause: fc.boolean(),
  pause: fc.integer({ min: 0, max: 4 }),
  wasPaused: fc.boolean(),
  editedFrom: fc.option(fc.constantFrom('0 3 * * *', '*/10 * * * *'), { nil: undefined }),
  lastMissedMinute: fc.option(fc.integer({ min: 0, max: 12 * 24 * 60 }), { nil: undefined }),
  token: fc.option(fc.constantFrom('a1', 'now2', 'adhoc'), { nil: undefined }),
  servedToken: fc.option(fc.constantFrom('a1', 'old'), { nil: undefined }),
  children: fc.array(childArb, { maxLength: 20 }),
  lastFrom: fc.nat(),
  nowMinute: fc.integer({ min: 0, max: 12 * 24 * 60 }),
});

type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

function build(s: Scenario): { req: SyncRequest; now: number } {
  const children: KubeObject[] = [];
  const seen = new Set<string>();
  for (const c of s.children) {
    const slot = iso(BASE + c.minute * MINUTE);
    const annotations: Record<string, string> = {};
    if (c.pinned === 0) annotations[KEEP] = 'true';
    if (c.manual === 0) annotations[NOW] = 'a1';
    const child = backup({
      slot,
      state: c.state,
      annotations,
      ...(c.manual === 0 ? { name: 'nightly-manual-a1', annotate: false } : {}),
      ...(c.deleting === 0 ? { deleting: iso(BASE + (c.minute + 1) * MINUTE) } : {}),
    });
    if (seen.has(child.metadata!.name!)) continue;
    seen.add(child.metadata!.name!);
    children.push(child);
  }
  const spec: JsonObject = { schedule: s.expression, backupTemplate: BR_TEMPLATE, pause: s.pause === 0, skipMissedOnUnpause: s.skipMissedOnUnpause };
  if (s.timeZone !== undefined) spec['timeZone'] = s.timeZone;
  if (s.retention !== undefined) spec['retention'] = s.retention;
  else if (s.maxBackups !== undefined) spec['maxBackups'] = s.maxBackups;
  if (s.backupTimeout !== undefined) spec['backupTimeout'] = s.backupTimeout;
  if (s.startingDeadlineSeconds !== undefined) spec['startingDeadlineSeconds'] = s.startingDeadlineSeconds;

  const status: BackupScheduleStatus = {};
  const scheduled = s.children.filter((c) => c.manual !== 0);
  if (scheduled.length > 0) {
    const slot = BASE + (scheduled[s.lastFrom % scheduled.length]?.minute ?? 0) * MINUTE;
    status.lastBackup = `nightly-${stamp(iso(slot))}`;
    status.lastBackupTime = iso(slot);
  }
  if (s.editedFrom !== undefined) {
    const parsed = parseSchedule(s.editedFrom);
    if (parsed.ok) status.scheduleHash = scheduleHash(parsed.schedule);
  }
  if (s.lastMissedMinute !== undefined) status.lastMissedTime = iso(BASE + s.lastMissedMinute * MINUTE);
  if (s.servedToken !== undefined) status['lastBackupNow'] = { name: `nightly-manual-${s.servedToken}`, token: s.servedToken };
  if (s.wasPaused) status.conditions = [{ type: 'Ready', status: 'True', reason: 'Paused', message: 'paused', lastTransitionTime: iso(BASE) }];
  const parent = schedule({ spec, status, created: iso(BASE - 60 * MINUTE), ...(s.token === undefined ? {} : { annotations: { [NOW]: s.token } }) });
  return { req: request(parent, children), now: BASE + s.nowMinute * MINUTE };
}

describe('sync decision with the extension fields (properties)', () => {
  it('answers a valid, deterministic response whose status is a fixed point', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const { req, now } = build(s);
        const first = decide(structuredClone(req), { now });
        assertValidResponse(first.response);
        assert.deepEqual(decide(structuredClone(req), { now }).response, first.response);
        const again = structuredClone(req);
        again.parent.status = structuredClone(first.response.status);
        assert.deepEqual(decide(again, { now }).response.status, first.response.status, 'the answered status is answered again unchanged');
      }),
      propertyRuns({ seed: 906, numRuns: 300 }),
    );
  });

  it('never drops an unfinished, pinned or last Backup, and never moves lastBackupTime or lastMissedTime back', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const { req, now } = build(s);
        const { response, report } = decide(req, { now });
        const desired = new Set(response.children.map((c) => c.metadata.name));
        for (const child of Object.values(req.children['Backup.pingcap.com/v1alpha1'] ?? {})) {
          const name = child.metadata?.name ?? '';
          if (child.metadata?.deletionTimestamp != null || desired.has(name)) continue;
          assert.notEqual(snapshotState(child), 'unfinished', `${name} is unfinished`);
          assert.notEqual(child.metadata?.annotations?.[KEEP], 'true', `${name} is pinned`);
          assert.notEqual(name, req.parent.status?.lastBackup, `${name} is the last Backup`);
          assert.ok(report.deletions.some((d) => d.name === name && d.reason !== ''), `${name} went without a reason`);
        }
        for (const field of ['lastBackupTime', 'lastMissedTime'] as const) {
          const before = parseTime(req.parent.status?.[field]);
          const after = parseTime(response.status[field]);
          if (before !== null) assert.ok(after !== null && after >= before, `${field} moved back`);
        }
      }),
      propertyRuns({ seed: 9061, numRuns: 300 }),
    );
  });
  it('one view at two instants less than the quiet windows apart starts at most one Backup between them, backup-now and deadlines included', () => {
    // The narrowest quiet window here is half the 60 s starting deadline.
    fc.assert(
      fc.property(scenarioArb, fc.integer({ min: 1, max: 29_999 }), (s, laterMs) => {
        const { req, now } = build(s);
        const observed = new Set(Object.values(req.children['Backup.pingcap.com/v1alpha1'] ?? {}).map((c) => c.metadata?.name));
        const started = (at: number): string[] =>
          decide(structuredClone(req), { now: at }).response.children.filter((c) => c.kind === 'Backup' && !observed.has(c.metadata.name)).map((c) => c.metadata.name);
        const names = new Set([...started(now), ...started(now + laterMs)]);
        assert.ok(names.size <= 1, `the same view started ${[...names].join(' and ')} ${laterMs} ms apart`);
      }),
      propertyRuns({ seed: 906, numRuns: 600 }),
    );
  });

  itKeepsItsCallBacks({ arbitrary: scenarioArb, build, seed: 9062, numRuns: 1200 });
});
