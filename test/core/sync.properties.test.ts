/** Properties of the sync decision over random schedules, children, statuses and instants (fast-check, seeded). */

import assert from 'node:assert/strict';

import fc from 'fast-check';

import { answerJson } from '../../src/core/answer-json.js';
import { snapshotState } from '../../src/core/backup-state.js';
import { SCHEDULE_LABEL } from '../../src/core/names.js';
import { decide } from '../../src/core/sync.js';
import { parseTime } from '../../src/core/time.js';
import type { KubeObject, SyncRequest } from '../../src/core/types.js';
import { BR_TEMPLATE, backup, request, schedule } from '../support/objects.js';
import type { TestState } from '../support/objects.js';
import { itKeepsItsCallBacks } from '../support/call-backs.js';
import { propertyRuns } from '../support/property-runs.js';
import { assertValidResponse } from '../support/response-schema.js';

const BASE = Date.parse('2024-05-01T00:00:00Z');
const MINUTE = 60_000;
const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

const childArb = fc.record({
  minute: fc.integer({ min: 0, max: 3 * 24 * 60 }),
  state: fc.constantFrom<TestState>('new', 'scheduled', 'running', 'complete', 'failed', 'invalid', 'scheduled-failed'),
  deleting: fc.boolean(),
  owner: fc.constantFrom('nightly', 'nightly', 'nightly', 'weekly'),
  annotate: fc.boolean(),
});

const scenarioArb = fc.record({
  expression: fc.constantFrom('*/10 * * * *', '0 * * * *', '0 2 * * *', '30 10,11,12 * * 1-5', '@every 45m', '@hourly', '*/7 3-5 * * *'),
  maxReservedTime: fc.option(fc.constantFrom('30m', '1h', '6h', '48h'), { nil: undefined }),
  maxBackups: fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }),
  pause: fc.boolean(),
  children: fc.array(childArb, { maxLength: 25 }),
  statusFrom: fc.option(fc.integer({ min: -1, max: 24 }), { nil: undefined }),
  /** Seconds after its slot the status records the last Backup was asked for (`lastBackupCreation`), or none. */
  askedAfterS: fc.option(fc.integer({ min: 0, max: 900 }), { nil: undefined }),
  nowMinute: fc.integer({ min: 0, max: 4 * 24 * 60 }),
  /** Seconds after the status's last slot the sync runs at (around when it was asked for), instead of `nowMinute`; or none. */
  nowAfterStatusS: fc.option(fc.integer({ min: -60, max: 900 }), { nil: undefined }),
});

type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

function build(s: Scenario): { req: SyncRequest; now: number } {
  const children: KubeObject[] = [];
  const seen = new Set<string>();
  for (const c of s.children) {
    const slot = iso(BASE + c.minute * MINUTE);
    const child = backup({ slot, state: c.state, schedule: c.owner, annotate: c.annotate, ...(c.deleting ? { deleting: iso(BASE + (c.minute + 1) * MINUTE) } : {}) });
    if (seen.has(child.metadata!.name!)) continue;
    seen.add(child.metadata!.name!);
    children.push(child);
  }
  // The recorded status: one of the children (maybe absent from the list), or none.
  let status: Record<string, unknown> | undefined;
  let now = BASE + s.nowMinute * MINUTE;
  if (s.statusFrom !== undefined && s.statusFrom >= 0 && s.children.length > 0) {
    const picked = s.children[s.statusFrom % s.children.length]!;
    const slot = BASE + picked.minute * MINUTE;
    const lastBackup = `nightly-${new Date(slot).toISOString().slice(0, 19).replace('T', 't').replaceAll(':', '-')}`;
    status = { lastBackup, lastBackupTime: iso(slot) };
    if (s.askedAfterS !== undefined) status['lastBackupCreation'] = { name: lastBackup, time: iso(slot + s.askedAfterS * 1000) };
    if (s.nowAfterStatusS !== undefined) now = slot + s.nowAfterStatusS * 1000;
  }
  const spec: Record<string, unknown> = { schedule: s.expression, backupTemplate: BR_TEMPLATE, pause: s.pause };
  if (s.maxReservedTime !== undefined) spec['maxReservedTime'] = s.maxReservedTime;
  if (s.maxBackups !== undefined) spec['maxBackups'] = s.maxBackups;
  const parent = schedule({ spec, ...(status ? { status } : {}), created: iso(BASE - 60 * MINUTE) });
  return { req: request(parent, children), now };
}

const RUNS = propertyRuns({ seed: 20241126, numRuns: 400 });

function live(req: SyncRequest): KubeObject[] {
  return Object.values(req.children['Backup.pingcap.com/v1alpha1'] ?? {}).filter((c) => c.metadata?.deletionTimestamp == null);
}

describe('sync decision properties', () => {
  it('is deterministic: the same request at the same instant gives the same answer', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const { req, now } = build(s);
        assert.deepEqual(decide(structuredClone(req), { now }), decide(structuredClone(req), { now }));
      }),
      RUNS,
    );
  });

  it('is written as JSON.stringify writes it, also when a second answer reuses the remembered forms of its kept Backups', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const { req, now } = build(s);
        for (const request of [structuredClone(req), structuredClone(req)]) {
          const { response } = decide(request, { now });
          assert.equal(answerJson(response), JSON.stringify(response));
        }
      }),
      RUNS,
    );
  });

  it('answers a valid response, and does not modify the request', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const { req, now } = build(s);
        const copy = structuredClone(req);
        assertValidResponse(JSON.parse(JSON.stringify(decide(req, { now }).response)));
        assert.deepEqual(req, copy);
      }),
      RUNS,
    );
  });

  it('never drops an unfinished Backup, the newest Complete one, the last one, or one it does not own; every drop has a reason', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const { req, now } = build(s);
        const { response, report } = decide(req, { now });
        const desired = new Set(response.children.map((c) => c.metadata.name));
        const reasons = new Map(report.deletions.map((d) => [d.name, d.reason]));
        const ours = live(req).filter((c) => c.metadata?.labels?.[SCHEDULE_LABEL] === 'nightly');
        const newestComplete = ours
          .filter((c) => snapshotState(c) === 'complete')
          .map((c) => c.metadata!.name!)
          .sort()
          .at(-1);
        for (const child of live(req)) {
          const name = child.metadata!.name!;
          if (desired.has(name)) continue;
          assert.ok(reasons.has(name), `${name} dropped without a retention reason`);
          assert.equal(child.metadata?.labels?.[SCHEDULE_LABEL], 'nightly', `${name} of another schedule dropped`);
          assert.notEqual(snapshotState(child), 'unfinished', `unfinished ${name} dropped`);
          assert.notEqual(name, newestComplete, `newest Complete ${name} dropped`);
          assert.notEqual(name, req.parent.status?.lastBackup, `last Backup ${name} dropped`);
        }
      }),
      RUNS,
    );
  });

  it('one view at two instants less than the quiet window apart starts at most one Backup between them (a stale view never starts a second one)', () => {
    // The quiet window is the stale-view grace (5 minutes by default), at most half the tick gap; the narrowest gap
    // here is 4 minutes (`*/7 3-5 * * *` from :56 to the hour), so 2 minutes is inside every window.
    fc.assert(
      fc.property(scenarioArb, fc.integer({ min: 1, max: 119_999 }), (s, laterMs) => {
        const { req, now } = build(s);
        const names = (at: number): string[] => {
          const { response } = decide(structuredClone(req), { now: at });
          const observed = new Set(live(req).map((c) => c.metadata?.name));
          return response.children.filter((c) => c.kind === 'Backup' && !observed.has(c.metadata.name)).map((c) => c.metadata.name);
        };
        const started = new Set([...names(now), ...names(now + laterMs)]);
        assert.ok(started.size <= 1, `the same view started ${[...started].join(' and ')} ${laterMs} ms apart`);
      }),
      RUNS,
    );
  });

  it('never answers a status behind the request: lastBackupTime never earlier than sent or than the newest observed slot', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const { req, now } = build(s);
        const { status } = decide(req, { now }).response;
        const sent = parseTime(req.parent.status?.lastBackupTime);
        const answered = parseTime(status.lastBackupTime);
        if (sent !== null) {
          assert.ok(answered !== null && answered >= sent, `lastBackupTime went from ${req.parent.status?.lastBackupTime} to ${status.lastBackupTime}`);
          assert.ok(typeof status.lastBackup === 'string' && status.lastBackup !== '', 'lastBackup was cleared');
        }
        for (const child of Object.values(req.children['Backup.pingcap.com/v1alpha1'] ?? {})) {
          const slot = parseTime(child.metadata?.annotations?.['backup-schedule-hook/scheduled-at']);
          if (slot !== null && child.metadata?.labels?.[SCHEDULE_LABEL] === 'nightly') {
            assert.ok(answered !== null && answered >= slot, `status ${status.lastBackupTime} behind observed ${child.metadata?.name}`);
          }
        }
      }),
      RUNS,
    );
  });

  it('creates at most one Backup, for a slot at or before now, never while one of its Backups runs', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const { req, now } = build(s);
        const { response, report } = decide(req, { now });
        const observed = new Set(Object.values(req.children['Backup.pingcap.com/v1alpha1'] ?? {}).map((c) => c.metadata?.name));
        const created = response.children.filter((c) => !observed.has(c.metadata.name));
        assert.ok(created.length <= 1);
        const child = created[0];
        if (child === undefined) return;
        // A new Backup, or the last one asked for again while the view lacks it (its create may have failed).
        assert.equal(report.created ?? report.askedAgain, child.metadata.name);
        assert.equal(s.pause, false, 'created while paused');
        const slot = parseTime(child.metadata.annotations?.['backup-schedule-hook/scheduled-at']);
        assert.ok(slot !== null && slot <= now);
        // Not the last one only: an older one still running holds the gate too (no spec.backupTimeout here).
        for (const other of live(req).filter((c) => c.metadata?.labels?.['tidb.pingcap.com/backup-schedule'] === 'nightly')) {
          assert.notEqual(snapshotState(other), 'unfinished', `created ${child.metadata.name} on top of running ${other.metadata?.name}`);
        }
      }),
      RUNS,
    );
  });

  itKeepsItsCallBacks({ arbitrary: scenarioArb, build, seed: 20241127, numRuns: 1000 });
});
