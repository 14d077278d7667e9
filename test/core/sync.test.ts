/** The sync hook's answers outside the schedule's own decisions: a schedule being deleted, and an invalid spec. */

import assert from 'node:assert/strict';

import { decide } from '../../src/core/sync.js';
import type { BackupSchedule, JsonObject } from '../../src/core/types.js';
import { BR_TEMPLATE, backup, request, schedule } from '../support/objects.js';

const at = (hhmm: string): string => `2024-05-01T${hhmm}Z`;
const DUE = 'nightly-2024-05-01t00-10-00';

describe('sync: a schedule being deleted', () => {
  const cases: ReadonlyArray<{ name: string; parent: BackupSchedule; finalizing: boolean; finalized: boolean | undefined; paused: boolean }> = [
    { name: 'deletionTimestamp set: nothing created, not finalized by this hook', parent: schedule({ deletionTimestamp: at('00:09:00') }), finalizing: false, finalized: undefined, paused: false },
    { name: 'a finalize call: nothing created, finalized', parent: schedule(), finalizing: true, finalized: true, paused: false },
    {
      name: 'paused as well: reported paused',
      parent: schedule({ deletionTimestamp: at('00:09:00'), spec: { schedule: '*/10 * * * *', backupTemplate: BR_TEMPLATE, pause: true } }),
      finalizing: false,
      finalized: undefined,
      paused: true,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const seen = backup({ slot: at('00:00:00') });
      const { response, report } = decide(request(c.parent, [seen], { finalizing: c.finalizing }), { now: Date.parse(at('00:10:05')) });
      assert.deepEqual(
        { children: response.children.map((x) => x.metadata.name), finalized: response.finalized, outcome: report.outcome, message: report.message, paused: report.facts.paused },
        { children: [seen.metadata?.name], finalized: c.finalized, outcome: 'parent-deleting', message: 'the schedule is being deleted', paused: c.paused },
      );
      assert.ok(!response.children.some((x) => x.metadata.name === DUE));
    });
  }
});

describe('sync: an invalid spec', () => {
  const invalid = (spec: JsonObject | undefined): BackupSchedule => {
    const parent = schedule({ spec: spec ?? {} });
    if (spec === undefined) delete (parent as { spec?: unknown }).spec;
    return parent;
  };
  const cases: ReadonlyArray<{ name: string; parent: BackupSchedule; paused: boolean }> = [
    { name: 'paused: reported paused', parent: invalid({ schedule: 'never', backupTemplate: BR_TEMPLATE, pause: true }), paused: true },
    { name: 'not paused', parent: invalid({ schedule: 'never', backupTemplate: BR_TEMPLATE, pause: false }), paused: false },
    { name: 'pause not the boolean true', parent: invalid({ schedule: 'never', backupTemplate: BR_TEMPLATE, pause: 'true' }), paused: false },
    { name: 'no spec at all', parent: invalid(undefined), paused: false },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { report } = decide(request(c.parent, [backup({ slot: at('00:00:00') })]), { now: Date.parse(at('00:10:05')) });
      assert.equal(report.outcome, 'invalid');
      assert.ok(report.problems.length > 0, 'says what to fix');
      assert.equal(report.message, `the spec is invalid: ${report.problems.join('; ')}`);
      assert.deepEqual({ specValid: report.facts.specValid, paused: report.facts.paused }, { specValid: false, paused: c.paused });
    });
  }
});

describe('sync: an invalid spec, in the answer', () => {
  const parent = schedule({ spec: { schedule: 'never', backupTemplate: BR_TEMPLATE } });
  const cases: ReadonlyArray<{ name: string; resyncEveryMs?: number; resyncAfterSeconds: number | undefined }> = [
    { name: 'no call-back of its own', resyncAfterSeconds: undefined },
    { name: 'the regular call-back resyncEveryMs asks for', resyncEveryMs: 600_000, resyncAfterSeconds: 600 },
  ];
  for (const c of cases) {
    it(`reports Ready False (InvalidSpec) with what to fix, keeps every child and the last Backup, and asks ${c.name}`, () => {
      const seen = backup({ slot: at('00:00:00') });
      const { response, report } = decide(request(parent, [seen]), { now: Date.parse(at('00:10:05')), ...(c.resyncEveryMs === undefined ? {} : { resyncEveryMs: c.resyncEveryMs }) });
      assert.deepEqual(response.status.conditions, [{ type: 'Ready', status: 'False', reason: 'InvalidSpec', message: report.message, lastTransitionTime: at('00:10:05') }]);
      assert.match(report.message, /^the spec is invalid: spec\.schedule: "never"/);
      assert.deepEqual(response.children.map((x) => x.metadata.name), [seen.metadata?.name]);
      assert.equal(response.status.lastBackup, seen.metadata?.name);
      assert.equal(response.resyncAfterSeconds, c.resyncAfterSeconds);
    });
  }
});

describe('sync: resyncEveryMs bounds the call-back every answer asks for', () => {
  // Daily at midnight, the 00:00 Backup Complete: at 00:10:05 the decision's own call-back is the next tick, 85,795 s on.
  const parent = schedule({ spec: { schedule: '0 0 * * *', backupTemplate: BR_TEMPLATE }, status: { lastBackup: 'nightly-2024-05-01t00-00-00', lastBackupTime: at('00:00:00') } });
  const cases: ReadonlyArray<{ name: string; resyncEveryMs?: number; resyncAfterSeconds: number }> = [
    { name: 'absent: the decision\'s own call-back', resyncAfterSeconds: 85_795 },
    { name: '0: the decision\'s own call-back', resyncEveryMs: 0, resyncAfterSeconds: 85_795 },
    { name: 'negative: the decision\'s own call-back', resyncEveryMs: -5, resyncAfterSeconds: 85_795 },
    { name: 'ten minutes: ten minutes, sooner than the decision\'s own', resyncEveryMs: 600_000, resyncAfterSeconds: 600 },
    { name: 'ten days: the decision\'s own, which comes sooner', resyncEveryMs: 10 * 86_400_000, resyncAfterSeconds: 85_795 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { response } = decide(request(parent, [backup({ slot: at('00:00:00') })]), { now: Date.parse(at('00:10:05')), ...(c.resyncEveryMs === undefined ? {} : { resyncEveryMs: c.resyncEveryMs }) });
      assert.equal(response.resyncAfterSeconds, c.resyncAfterSeconds);
    });
  }
});

describe('sync: the handover label never passes to a Backup the hook creates', () => {
  const labels = { team: 'a', 'backup-schedule-hook/controller': 'hook', 'example.com/handover': 'hook' };
  const cases: ReadonlyArray<{ name: string; handoverLabelKey?: string; copied: string[] }> = [
    { name: 'the default key', copied: ['example.com/handover', 'team'] },
    { name: 'a key of its own, in place of the default', handoverLabelKey: 'example.com/handover', copied: ['backup-schedule-hook/controller', 'team'] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { response, report } = decide(request(schedule({ labels })), { now: Date.parse(at('00:10:30')), ...(c.handoverLabelKey === undefined ? {} : { handoverLabelKey: c.handoverLabelKey }) });
      const created = response.children.find((x) => x.metadata.name === report.created);
      assert.equal(report.created, DUE);
      assert.deepEqual(Object.keys(created?.metadata.labels ?? {}).filter((key) => key in labels).sort(), c.copied);
    });
  }
});

describe('sync: nextBackupTime is the next tick that runs', () => {
  // Hourly; the hook's clock at 11:10. Ticks up to the last Backup's slot never run, so with a last Backup dated ahead
  // of this clock (a cluster clock ahead when it was created) the next is the tick after it.
  const cases: ReadonlyArray<{ name: string; last: string; next: string; callBackS: number }> = [
    { name: 'the last Backup at 11:00: 12:00', last: '11:00', next: '12:00', callBackS: 3000 },
    { name: 'the last Backup at 12:00, ahead of the clock: 13:00, not 12:00 (its Backup exists)', last: '12:00', next: '13:00', callBackS: 6600 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const slot = `2024-05-10T${c.last}:00Z`;
      const parent = schedule({ spec: { schedule: '0 * * * *', backupTemplate: BR_TEMPLATE }, status: { lastBackup: `nightly-2024-05-10t${c.last.replace(':', '-')}-00`, lastBackupTime: slot } });
      const { response } = decide(request(parent, [backup({ slot })]), { now: Date.parse('2024-05-10T11:10:00Z') });
      assert.deepEqual(
        { next: response.status.nextBackupTime, ready: response.status.conditions?.find((x) => x.type === 'Ready')?.message, callBackS: response.resyncAfterSeconds },
        { next: `2024-05-10T${c.next}:00Z`, ready: `next Backup at 2024-05-10T${c.next}:00Z`, callBackS: c.callBackS },
      );
    });
  }
});
