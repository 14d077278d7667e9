import assert from 'node:assert/strict';

import { parseSchedule } from '../../src/core/schedule.js';
import { missedFinding, planSlot, scheduleHash } from '../../src/core/schedule-edit.js';
import type { MissCause } from '../../src/core/schedule-edit.js';
import { readSpec } from '../../src/core/spec.js';
import { decide } from '../../src/core/sync.js';
import type { ScheduleSpec } from '../../src/core/spec.js';
import type { BackupScheduleStatus, JsonObject } from '../../src/core/types.js';
import { BR_TEMPLATE, backup, request, schedule } from '../support/objects.js';

const t = (hhmm: string, day = '02'): number => Date.parse(`2024-05-${day}T${hhmm}:00Z`);
const hashOf = (expression: string, timeZone?: string): string => {
  const parsed = parseSchedule(expression, timeZone === undefined ? {} : { timeZone });
  assert.ok(parsed.ok);
  return scheduleHash(parsed.schedule);
};
const specOf = (fields: JsonObject): ScheduleSpec => {
  const read = readSpec(schedule({ spec: { backupTemplate: BR_TEMPLATE, ...fields } }));
  assert.ok(read.ok, read.ok ? '' : read.problems.join('; '));
  return read.spec;
};
const paused: BackupScheduleStatus = { conditions: [{ type: 'Ready', status: 'True', reason: 'Paused' }] };

interface Case {
  name: string;
  spec: JsonObject;
  previous: BackupScheduleStatus;
  watermark: number | null;
  now: number;
  slot: number | null;
  missed: { slot: number; cause: MissCause } | null;
  /** When given, the plan's editSeenAt (status.scheduleEditSeenAt to write). */
  editSeenAt?: number | null;
}

const cases: Case[] = [
  { name: 'without extension fields: the core rule (the hash recorded all the same)', spec: { schedule: '0 * * * *' }, previous: {}, watermark: t('01:00'), now: t('03:30'), slot: t('03:00'), missed: null },
  { name: 'an unchanged recorded hash is no edit', spec: { schedule: '0 * * * *' }, previous: { scheduleHash: hashOf('0 * * * *') }, watermark: t('01:00'), now: t('03:30'), slot: t('03:00'), missed: null },
  {
    name: 'an edit (hash differs) runs no tick before this sync and records it as missed',
    spec: { schedule: '30 * * * *' },
    previous: { scheduleHash: hashOf('0 * * * *') },
    watermark: t('01:00'),
    now: t('03:40'),
    slot: null,
    missed: { slot: t('03:30'), cause: 'ScheduleChanged' },
  },
  { name: 'an edit with no tick due misses nothing', spec: { schedule: '30 * * * *' }, previous: { scheduleHash: hashOf('0 * * * *') }, watermark: t('03:00'), now: t('03:20'), slot: null, missed: null },
  { name: 'a time-zone edit is an edit', spec: { schedule: '0 * * * *', timeZone: 'Asia/Kolkata' }, previous: { scheduleHash: hashOf('0 * * * *') }, watermark: t('01:00'), now: t('03:40'), slot: null, missed: { slot: t('03:30'), cause: 'ScheduleChanged' } },
  { name: 'an edit while paused is recorded too', spec: { schedule: '30 * * * *', pause: true }, previous: { scheduleHash: hashOf('0 * * * *') }, watermark: t('01:00'), now: t('03:40'), slot: null, missed: { slot: t('03:30'), cause: 'ScheduleChanged' } },
  { name: 'lastMissedTime bounds the search like lastBackupTime', spec: { schedule: '30 * * * *' }, previous: { lastMissedTime: '2024-05-02T03:30:00Z' }, watermark: t('01:00'), now: t('03:40'), slot: null, missed: null },
  { name: 'lastMissedTime older than the watermark does not hold the schedule back', spec: { schedule: '30 * * * *' }, previous: { lastMissedTime: '2024-05-02T00:30:00Z' }, watermark: t('01:00'), now: t('03:40'), slot: t('03:30'), missed: null },
  { name: 'skipMissedOnUnpause after a paused sync misses the due tick', spec: { schedule: '0 * * * *', skipMissedOnUnpause: true }, previous: paused, watermark: t('01:00'), now: t('03:30'), slot: null, missed: { slot: t('03:00'), cause: 'MissedWhilePaused' } },
  { name: 'skipMissedOnUnpause while still paused misses nothing', spec: { schedule: '0 * * * *', skipMissedOnUnpause: true, pause: true }, previous: paused, watermark: t('01:00'), now: t('03:30'), slot: t('03:00'), missed: null },
  { name: 'unpausing without skipMissedOnUnpause catches up (upstream)', spec: { schedule: '0 * * * *' }, previous: paused, watermark: t('01:00'), now: t('03:30'), slot: t('03:00'), missed: null },
  { name: 'a slot older than startingDeadlineSeconds is missed', spec: { schedule: '0 * * * *', startingDeadlineSeconds: 1799 }, previous: {}, watermark: t('01:00'), now: t('03:30'), slot: null, missed: { slot: t('03:00'), cause: 'StartingDeadlineExceeded' } },
  { name: 'a slot exactly startingDeadlineSeconds old still runs', spec: { schedule: '0 * * * *', startingDeadlineSeconds: 1800 }, previous: {}, watermark: t('01:00'), now: t('03:30'), slot: t('03:00'), missed: null },
  { name: 'a slot one millisecond past startingDeadlineSeconds is missed', spec: { schedule: '0 * * * *', startingDeadlineSeconds: 1800 }, previous: {}, watermark: t('01:00'), now: t('03:30') + 1, slot: null, missed: { slot: t('03:00'), cause: 'StartingDeadlineExceeded' } },
  { name: 'skipMissedOnUnpause after a sync that was not paused runs the due tick', spec: { schedule: '0 * * * *', skipMissedOnUnpause: true }, previous: {}, watermark: t('01:00'), now: t('03:30'), slot: t('03:00'), missed: null },
  { name: 'an empty recorded hash is no hash: no edit, nothing missed', spec: { schedule: '0 * * * *' }, previous: { scheduleHash: '' }, watermark: t('01:00'), now: t('03:30'), slot: t('03:00'), missed: null, editSeenAt: null },
  { name: 'an edit is seen now', spec: { schedule: '30 * * * *' }, previous: { scheduleHash: hashOf('0 * * * *') }, watermark: t('03:00'), now: t('03:20'), slot: null, missed: null, editSeenAt: t('03:20') },
  { name: 'an unchanged hash keeps when the edit was seen', spec: { schedule: '0 * * * *' }, previous: { scheduleHash: hashOf('0 * * * *'), scheduleEditSeenAt: '2024-05-02T02:00:00Z' }, watermark: t('01:00'), now: t('03:30'), slot: t('03:00'), missed: null, editSeenAt: t('02:00') },
  { name: 'without a recorded hash an old scheduleEditSeenAt is dropped', spec: { schedule: '0 * * * *' }, previous: { scheduleEditSeenAt: '2024-05-02T02:00:00Z' }, watermark: t('01:00'), now: t('03:30'), slot: t('03:00'), missed: null, editSeenAt: null },
  { name: 'the deadline is not judged while paused', spec: { schedule: '0 * * * *', startingDeadlineSeconds: 60, pause: true }, previous: {}, watermark: t('01:00'), now: t('03:30'), slot: t('03:00'), missed: null },
  { name: 'no watermark: nothing due', spec: { schedule: '0 * * * *', timeZone: 'UTC' }, previous: {}, watermark: null, now: t('03:30'), slot: null, missed: null },
];

describe('planSlot (schedule edits and missed runs)', () => {
  for (const c of cases) {
    it(c.name, () => {
      const spec = specOf(c.spec);
      const plan = planSlot(c.previous, { spec, now: c.now, watermark: c.watermark });
      assert.equal(plan.slot, c.slot, 'slot');
      assert.deepEqual(plan.missed, c.missed, 'missed');
      assert.equal(plan.scheduleHash, scheduleHash(spec.schedule), 'scheduleHash');
      if (c.missed !== null) assert.equal(plan.lastMissedTime, c.missed.slot, 'lastMissedTime');
      if (c.editSeenAt !== undefined) assert.equal(plan.editSeenAt, c.editSeenAt, 'editSeenAt');
    });
  }

  it('hashes the expression and the zone, with no zone the same as UTC', () => {
    assert.equal(hashOf('0 2 * * *'), hashOf('0 2 * * *', 'UTC'));
    assert.notEqual(hashOf('0 2 * * *'), hashOf('0 3 * * *'));
    assert.notEqual(hashOf('0 2 * * *'), hashOf('0 2 * * *', 'Europe/Berlin'));
    assert.match(hashOf('0 2 * * *'), /^[0-9a-f]{16}$/);
  });
});

describe('missedFinding (a MissedSchedule reported earlier)', () => {
  const reported = { type: 'MissedSchedule', status: 'True', reason: 'StartingDeadlineExceeded', message: 'the slot 2024-05-02T03:00:00Z was not started' };
  const cases: { name: string; previous: BackupScheduleStatus; lastBackupTime: number | null; finding: { reason: string; message: string } | null }[] = [
    { name: 'stays while no Backup has run since', previous: { lastMissedTime: '2024-05-02T03:00:00Z', conditions: [reported] }, lastBackupTime: null, finding: { reason: reported.reason, message: reported.message } },
    { name: 'stays while the last Backup is older than the missed slot', previous: { lastMissedTime: '2024-05-02T03:00:00Z', conditions: [reported] }, lastBackupTime: t('02:00'), finding: { reason: reported.reason, message: reported.message } },
    { name: 'is resolved once the missed slot itself has run', previous: { lastMissedTime: '2024-05-02T03:00:00Z', conditions: [reported] }, lastBackupTime: t('03:00'), finding: null },
    { name: 'is resolved once a newer slot has run', previous: { lastMissedTime: '2024-05-02T03:00:00Z', conditions: [reported] }, lastBackupTime: t('04:00'), finding: null },
    { name: 'is dropped when status no longer records lastMissedTime', previous: { conditions: [reported] }, lastBackupTime: null, finding: null },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const spec = specOf({ schedule: '0 * * * *' });
      const plan = planSlot(c.previous, { spec, now: t('04:30'), watermark: t('04:00') });
      assert.deepEqual(missedFinding(c.previous, { plan, spec, lastBackupTime: c.lastBackupTime, gate: { open: true } }), c.finding);
    });
  }
});

describe('missedFinding (a slot missed now says why)', () => {
  const closed = { open: false as const, message: 'the last Backup is running', until: null, blocker: null };
  const cases: { name: string; spec: JsonObject; previous: BackupScheduleStatus; gate: typeof closed | { open: true }; finding: { reason: MissCause; message: string } }[] = [
    {
      name: 'an edit',
      spec: { schedule: '30 * * * *' },
      previous: { scheduleHash: hashOf('0 * * * *') },
      gate: { open: true },
      finding: {
        reason: 'ScheduleChanged',
        message: 'spec.schedule or spec.timeZone changed: the slot 2024-05-02T03:30:00Z, due before the change was seen, does not run; the new schedule starts at its next tick',
      },
    },
    {
      name: 'skipMissedOnUnpause after a paused sync',
      spec: { schedule: '0 * * * *', skipMissedOnUnpause: true },
      previous: paused,
      gate: { open: true },
      finding: { reason: 'MissedWhilePaused', message: 'spec.skipMissedOnUnpause: the slot 2024-05-02T03:00:00Z, missed while paused, does not run; the schedule resumes at its next tick' },
    },
    {
      name: 'the starting deadline passed with the gate open: the hook was not called',
      spec: { schedule: '0 * * * *', startingDeadlineSeconds: 1799 },
      previous: {},
      gate: { open: true },
      finding: {
        reason: 'StartingDeadlineExceeded',
        message:
          'the slot 2024-05-02T03:00:00Z was not started within spec.startingDeadlineSeconds (1799) and does not run: the hook was not called in time; ' +
          'check that Metacontroller and the hook are up, or raise the deadline',
      },
    },
    {
      name: 'the starting deadline passed with the gate closed: what it waited for',
      spec: { schedule: '0 * * * *', startingDeadlineSeconds: 1799 },
      previous: {},
      gate: closed,
      finding: {
        reason: 'StartingDeadlineExceeded',
        message: 'the slot 2024-05-02T03:00:00Z was not started within spec.startingDeadlineSeconds (1799) and does not run; until then the gate was closed: the last Backup is running',
      },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const spec = specOf(c.spec);
      const plan = planSlot(c.previous, { spec, now: t('03:40'), watermark: t('01:00') });
      // A MissedSchedule reported earlier does not hide the slot missed now.
      const previous = { ...c.previous, conditions: [...(c.previous.conditions ?? []), { type: 'MissedSchedule', status: 'True', reason: 'MissedWhilePaused', message: 'an older miss' }] };
      assert.deepEqual(missedFinding(previous, { plan, spec, lastBackupTime: null, gate: c.gate }), c.finding);
    });
  }

  const reportedCases: { name: string; reported: { reason?: string; message?: string }; finding: { reason: string; message: string } }[] = [
    { name: 'keeps the reason and message it was reported with', reported: { reason: 'MissedWhilePaused', message: 'missed while paused' }, finding: { reason: 'MissedWhilePaused', message: 'missed while paused' } },
    { name: 'without a reason: StartingDeadlineExceeded; without a message: empty', reported: {}, finding: { reason: 'StartingDeadlineExceeded', message: '' } },
  ];
  for (const c of reportedCases) {
    it(`a MissedSchedule reported earlier ${c.name}`, () => {
      const previous: BackupScheduleStatus = { lastMissedTime: '2024-05-02T03:00:00Z', conditions: [{ type: 'MissedSchedule', status: 'True', ...c.reported }] };
      const spec = specOf({ schedule: '0 * * * *' });
      const plan = planSlot(previous, { spec, now: t('04:30'), watermark: t('04:00') });
      assert.deepEqual(missedFinding(previous, { plan, spec, lastBackupTime: null, gate: { open: true } }), c.finding);
    });
  }
});

describe('the MissedSchedule condition of a sync’s answer once a newer slot has run', () => {
  const reported = { type: 'MissedSchedule', status: 'True', reason: 'StartingDeadlineExceeded', message: 'the slot 2024-05-02T03:00:00Z was not started', lastTransitionTime: '2024-05-02T03:10:00Z' };
  const cases: { name: string; lastBackupTime: string; now: string; condition: { status: string; reason: string; message: string } }[] = [
    { name: 'the last Backup older than the missed slot: still reported', lastBackupTime: '2024-05-02T02:00:00Z', now: '03:50', condition: { status: 'True', reason: reported.reason, message: reported.message } },
    { name: 'a newer slot has run: resolved, and says so', lastBackupTime: '2024-05-02T04:00:00Z', now: '04:10', condition: { status: 'False', reason: 'LatestSlotRan', message: 'a slot newer than status.lastMissedTime has run' } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const status = { lastBackup: 'x', lastBackupTime: c.lastBackupTime, lastMissedTime: '2024-05-02T03:00:00Z', conditions: [reported] };
      const d = decide(request(schedule({ spec: { schedule: '0 * * * *', backupTemplate: BR_TEMPLATE }, status })), { now: t(c.now) });
      const missed = d.response.status.conditions?.find((x) => x.type === 'MissedSchedule');
      assert.deepEqual({ status: missed?.status, reason: missed?.reason, message: missed?.message }, c.condition);
    });
  }
});

describe('a due slot held by an edit’s quiet window while a tick’s or deadline’s quiet window begins', () => {
  // The edit was first seen at 01:27:10 (the last Backup, of 01:20, Complete): nothing starts before 01:32:10. A slot of the
  // new schedule due meanwhile waits, and Ready says why. A quiet window that begins before then (the next tick's, or the
  // slot's starting deadline's) must not change what Ready says: no call-back lands on its start.
  const last = backup({ slot: '2024-05-02T01:20:00Z' });
  const at = (hhmmss: string): number => Date.parse(`2024-05-02T${hhmmss}Z`);
  const cases: { name: string; spec: JsonObject; now: string; callBack: number; later: string }[] = [
    { name: 'every minute: the quiet window before the 01:29 tick begins at 01:28:30', spec: { schedule: '* * * * *' }, now: '01:28:00', callBack: 60, later: '01:28:59' },
    { name: 'every 5 minutes, a 2-minute deadline: the 01:30 slot’s deadline window begins at 01:31:00', spec: { schedule: '*/5 * * * *', startingDeadlineSeconds: 120 }, now: '01:30:00', callBack: 120.001, later: '01:31:59' },
  ];
  for (const c of cases) {
    it(`${c.name}: Ready stays as answered until the call-back`, () => {
      const spec = { ...c.spec, backupTemplate: BR_TEMPLATE };
      const status = { lastBackup: last.metadata?.name, lastBackupTime: '2024-05-02T01:20:00Z', scheduleHash: hashOf('*/10 * * * *') };
      const seen = decide(request(schedule({ spec, status }), [last]), { now: at('01:27:10') }).response.status;
      const first = decide(request(schedule({ spec, status: seen }), [last]), { now: at(c.now) });
      assert.deepEqual({ outcome: first.report.outcome, callBack: first.response.resyncAfterSeconds }, { outcome: 'waiting', callBack: c.callBack });
      assert.match(first.report.message, /^a scheduled Backup is due: the schedule was edited \(first seen at 2024-05-02T01:27:10Z\)/);
      // The same view, sent the status just answered, a moment before the call-back.
      const later = decide(request(schedule({ spec, status: first.response.status }), [last]), { now: at(c.later) });
      assert.deepEqual(later.response.status, first.response.status);
    });
  }
});

describe('the MissedSchedule condition of a slot missed by its starting deadline says what held it', () => {
  // */10 with a 60 s deadline: the 01:00 slot can start until 01:00:30 (then its deadline's quiet window), and is missed
  // from 01:01:00.001. The quiet window before the 01:10 tick begins at 01:05, long after: it held nothing of the slot.
  const spec = { schedule: '*/10 * * * *', startingDeadlineSeconds: 60, backupTemplate: BR_TEMPLATE };
  const notCalled =
    'the slot 2024-05-02T01:00:00Z was not started within spec.startingDeadlineSeconds (60) and does not run: the hook was not called in time; ' +
    'check that Metacontroller and the hook are up, or raise the deadline';
  const cases: { name: string; state: 'complete' | 'running'; now: string; message: string }[] = [
    { name: 'first synced at 01:03, the gate open: the hook was not called in time', state: 'complete', now: '01:03:00', message: notCalled },
    { name: 'first synced at 01:07, inside the next tick’s quiet window: the same', state: 'complete', now: '01:07:00', message: notCalled },
    {
      name: 'first synced at 01:07, the last Backup running: it held the slot',
      state: 'running',
      now: '01:07:00',
      message:
        'the slot 2024-05-02T01:00:00Z was not started within spec.startingDeadlineSeconds (60) and does not run; until then the gate was closed: ' +
        'waiting for Backup nightly-2024-05-02t00-50-00 to finish (Complete, Failed or Invalid)',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const last = backup({ slot: '2024-05-02T00:50:00Z', state: c.state });
      const status = { lastBackup: last.metadata?.name, lastBackupTime: '2024-05-02T00:50:00Z', scheduleHash: hashOf('*/10 * * * *') };
      const d = decide(request(schedule({ spec, status }), [last]), { now: Date.parse(`2024-05-02T${c.now}Z`) });
      const missed = d.response.status.conditions?.find((x) => x.type === 'MissedSchedule');
      assert.deepEqual({ status: missed?.status, reason: missed?.reason, message: missed?.message }, { status: 'True', reason: 'StartingDeadlineExceeded', message: c.message });
    });
  }
});

describe('skipMissedOnUnpause across an invalid spec', () => {
  // Paused at 01:10 (the last Backup, of 01:00, Complete); at 02:10 an edit both unpauses and breaks the spec; at 03:30
  // the spec is fixed. The 02:00 and 03:00 ticks came while paused or invalid: with skipMissedOnUnpause the schedule
  // resumes at its next tick, as it would had the unpause come with a valid spec.
  const last = backup({ slot: '2024-05-02T01:00:00Z' });
  const valid = { schedule: '0 * * * *', backupTemplate: BR_TEMPLATE };
  const invalid = { ...valid, schedule: 'every hour' };
  type Step = { spec: JsonObject; now: string };
  const run = (steps: Step[]): ReturnType<typeof decide>[] => {
    let status: BackupScheduleStatus = { lastBackup: 'nightly-2024-05-02t01-00-00', lastBackupTime: '2024-05-02T01:00:00Z' };
    return steps.map((step) => {
      const d = decide(request(schedule({ spec: step.spec, status }), [last]), { now: t(step.now) });
      status = d.response.status;
      return d;
    });
  };
  const created = (d: ReturnType<typeof decide>): string[] => d.response.children.map((c) => c.metadata?.name ?? '').filter((n) => n !== last.metadata?.name);
  const missedOf = (d: ReturnType<typeof decide>): string | undefined => d.response.status.conditions?.find((c) => c.type === 'MissedSchedule' && c.status === 'True')?.reason;

  const cases: { name: string; steps: Step[]; created: string[]; missed: string | undefined }[] = [
    {
      name: 'unpaused and broken in one edit, then fixed: the tick missed meanwhile does not run',
      steps: [{ spec: { ...valid, pause: true, skipMissedOnUnpause: true }, now: '01:10' }, { spec: { ...invalid, skipMissedOnUnpause: true }, now: '02:10' }, { spec: { ...valid, skipMissedOnUnpause: true }, now: '03:30' }],
      created: [],
      missed: 'MissedWhilePaused',
    },
    {
      name: 'invalid over several syncs, then fixed: the same',
      steps: [
        { spec: { ...valid, pause: true, skipMissedOnUnpause: true }, now: '01:10' },
        { spec: { ...invalid, skipMissedOnUnpause: true }, now: '02:10' },
        { spec: { ...invalid, skipMissedOnUnpause: true }, now: '02:40' },
        { spec: { ...valid, skipMissedOnUnpause: true }, now: '03:30' },
      ],
      created: [],
      missed: 'MissedWhilePaused',
    },
    {
      name: 'broken while still paused, then fixed and unpaused in one edit: the same',
      steps: [{ spec: { ...valid, pause: true, skipMissedOnUnpause: true }, now: '01:10' }, { spec: { ...invalid, pause: true, skipMissedOnUnpause: true }, now: '02:10' }, { spec: { ...valid, skipMissedOnUnpause: true }, now: '03:30' }],
      created: [],
      missed: 'MissedWhilePaused',
    },
    {
      name: 'paused and broken in one edit, then fixed and unpaused in one edit: the same',
      steps: [{ spec: { ...valid, skipMissedOnUnpause: true }, now: '01:10' }, { spec: { ...invalid, pause: true, skipMissedOnUnpause: true }, now: '02:10' }, { spec: { ...valid, skipMissedOnUnpause: true }, now: '03:30' }],
      created: [],
      missed: 'MissedWhilePaused',
    },
    {
      name: 'without skipMissedOnUnpause: the most recent missed tick runs (upstream)',
      steps: [{ spec: { ...valid, pause: true }, now: '01:10' }, { spec: invalid, now: '02:10' }, { spec: valid, now: '03:30' }],
      created: ['nightly-2024-05-02t03-00-00'],
      missed: undefined,
    },
    {
      name: 'broken while running, not paused, then fixed: the most recent missed tick runs',
      steps: [{ spec: { ...valid, skipMissedOnUnpause: true }, now: '01:10' }, { spec: { ...invalid, skipMissedOnUnpause: true }, now: '02:10' }, { spec: { ...valid, skipMissedOnUnpause: true }, now: '03:30' }],
      created: ['nightly-2024-05-02t03-00-00'],
      missed: undefined,
    },
    {
      name: 'fixed while paused, then unpaused: the rule of a plain unpause',
      steps: [
        { spec: { ...valid, pause: true, skipMissedOnUnpause: true }, now: '01:10' },
        { spec: { ...invalid, skipMissedOnUnpause: true }, now: '02:10' },
        { spec: { ...valid, pause: true, skipMissedOnUnpause: true }, now: '02:20' },
        { spec: { ...valid, skipMissedOnUnpause: true }, now: '03:30' },
      ],
      created: [],
      missed: 'MissedWhilePaused',
    },
    {
      name: 'after the fixed spec resumed, the next tick runs',
      steps: [
        { spec: { ...valid, pause: true, skipMissedOnUnpause: true }, now: '01:10' },
        { spec: { ...invalid, skipMissedOnUnpause: true }, now: '02:10' },
        { spec: { ...valid, skipMissedOnUnpause: true }, now: '03:30' },
        { spec: { ...valid, skipMissedOnUnpause: true }, now: '04:10' },
      ],
      created: ['nightly-2024-05-02t04-00-00'],
      missed: undefined,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const answers = run(c.steps);
      const final = answers[answers.length - 1]!;
      assert.deepEqual({ created: created(final), missed: missedOf(final) }, { created: c.created, missed: c.missed });
    });
  }

  it('keeps the pause in status.pausedBeforeInvalidSpec (the field the CRD declares), and reads it from there', () => {
    // The next sync reads the status the API server kept, not this process's object: the field's name is the contract.
    const [, broken] = run([{ spec: { ...valid, pause: true, skipMissedOnUnpause: true }, now: '01:10' }, { spec: { ...invalid, skipMissedOnUnpause: true }, now: '02:10' }]);
    assert.equal(broken?.response.status['pausedBeforeInvalidSpec'], true);
    const stored: BackupScheduleStatus = {
      lastBackup: 'nightly-2024-05-02t01-00-00',
      lastBackupTime: '2024-05-02T01:00:00Z',
      pausedBeforeInvalidSpec: true,
      conditions: [{ type: 'Ready', status: 'False', reason: 'InvalidSpec' }],
    };
    const fixed = decide(request(schedule({ spec: { ...valid, skipMissedOnUnpause: true }, status: stored }), [last]), { now: t('03:30') });
    assert.deepEqual({ created: created(fixed), missed: missedOf(fixed) }, { created: [], missed: 'MissedWhilePaused' });
  });
});
