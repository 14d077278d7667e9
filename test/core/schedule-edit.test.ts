import assert from 'node:assert/strict';

import { parseSchedule } from '../../src/core/schedule.js';
import { planSlot, scheduleHash } from '../../src/core/schedule-edit.js';
import type { MissCause } from '../../src/core/schedule-edit.js';
import { readSpec } from '../../src/core/spec.js';
import type { ScheduleSpec } from '../../src/core/spec.js';
import type { BackupScheduleStatus, JsonObject } from '../../src/core/types.js';
import { BR_TEMPLATE, schedule } from '../support/objects.js';

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
    });
  }

  it('hashes the expression and the zone, with no zone the same as UTC', () => {
    assert.equal(hashOf('0 2 * * *'), hashOf('0 2 * * *', 'UTC'));
    assert.notEqual(hashOf('0 2 * * *'), hashOf('0 3 * * *'));
    assert.notEqual(hashOf('0 2 * * *'), hashOf('0 2 * * *', 'Europe/Berlin'));
    assert.match(hashOf('0 2 * * *'), /^[0-9a-f]{16}$/);
  });
});
