/** The quiet windows: before a tick, before a slot's starting deadline, after a missed tick, after an edit and after a backup-now request is first seen (tables with a fixed clock). */

import assert from 'node:assert/strict';

import { decideBackupNowQuiet, decideEditQuiet, decideMissedQuiet, decideQuiet, decideRequestQuiet } from '../../src/core/quiet.js';
import type { Gate } from '../../src/core/gate.js';
import { parseSchedule } from '../../src/core/schedule.js';
import type { Schedule } from '../../src/core/schedule.js';

const MINUTE = 60_000;
const at = (iso: string): number => Date.parse(iso);

function scheduleOf(expression: string): Schedule {
  const parsed = parseSchedule(expression);
  assert.ok(parsed.ok, expression);
  return parsed.schedule;
}

describe('decideQuiet', () => {
  const table: Array<{ name: string; expression: string; now: string; watermark: string | null; slot: string | null; graceMs: number; deadlineS?: number; open: boolean; until?: string }> = [
    { name: 'at the tick', expression: '*/10 * * * *', now: '2024-05-12T00:10:00Z', watermark: '2024-05-12T00:00:00Z', slot: '2024-05-12T00:10:00Z', graceMs: 5 * MINUTE, open: true },
    { name: 'a catch-up early in the interval', expression: '*/10 * * * *', now: '2024-05-12T00:12:30Z', watermark: '2024-05-11T18:30:00Z', slot: '2024-05-12T00:10:00Z', graceMs: 5 * MINUTE, open: true },
    { name: 'the last instant before the window', expression: '*/10 * * * *', now: '2024-05-12T00:15:00Z', watermark: '2024-05-11T18:30:00Z', slot: '2024-05-12T00:10:00Z', graceMs: 5 * MINUTE, open: true },
    { name: 'inside the window', expression: '*/10 * * * *', now: '2024-05-12T00:15:01Z', watermark: '2024-05-11T18:30:00Z', slot: '2024-05-12T00:10:00Z', graceMs: 5 * MINUTE, open: false, until: '2024-05-12T00:20:00Z' },
    { name: 'a short grace narrows it', expression: '*/10 * * * *', now: '2024-05-12T00:18:30Z', watermark: '2024-05-11T18:30:00Z', slot: '2024-05-12T00:10:00Z', graceMs: MINUTE, open: true },
    { name: 'a short grace, 4 s before the tick', expression: '*/10 * * * *', now: '2024-05-12T00:19:56Z', watermark: '2024-05-11T18:30:00Z', slot: '2024-05-12T00:10:00Z', graceMs: MINUTE, open: false, until: '2024-05-12T00:20:00Z' },
    { name: 'a daily schedule: only the grace before the tick', expression: '0 2 * * *', now: '2024-05-13T01:54:00Z', watermark: '2024-05-11T02:00:00Z', slot: '2024-05-12T02:00:00Z', graceMs: 5 * MINUTE, open: true },
    { name: 'a daily schedule, 2 minutes before the tick', expression: '0 2 * * *', now: '2024-05-13T01:58:00Z', watermark: '2024-05-11T02:00:00Z', slot: '2024-05-12T02:00:00Z', graceMs: 5 * MINUTE, open: false, until: '2024-05-13T02:00:00Z' },
    { name: 'every minute: half the minute, not the grace', expression: '* * * * *', now: '2024-05-12T00:10:29Z', watermark: '2024-05-12T00:00:00Z', slot: '2024-05-12T00:10:00Z', graceMs: 5 * MINUTE, open: true },
    { name: 'every minute, its second half', expression: '* * * * *', now: '2024-05-12T00:10:31Z', watermark: '2024-05-12T00:00:00Z', slot: '2024-05-12T00:10:00Z', graceMs: 5 * MINUTE, open: false, until: '2024-05-12T00:11:00Z' },
    { name: 'a 4-minute gap (:56 to the hour)', expression: '*/7 3-5 * * *', now: '2024-05-12T03:58:30Z', watermark: '2024-05-12T03:49:00Z', slot: '2024-05-12T03:56:00Z', graceMs: 5 * MINUTE, open: false, until: '2024-05-12T04:00:00Z' },
    { name: '@every anchors at the watermark', expression: '@every 45m', now: '2024-05-12T01:20:00Z', watermark: '2024-05-12T00:07:00Z', slot: '2024-05-12T00:52:00Z', graceMs: 5 * MINUTE, open: true },
    { name: '@every, inside the window', expression: '@every 45m', now: '2024-05-12T01:33:00Z', watermark: '2024-05-12T00:07:00Z', slot: '2024-05-12T00:52:00Z', graceMs: 5 * MINUTE, open: false, until: '2024-05-12T01:37:00Z' },
    { name: 'no due slot (backup-now): the gap around now', expression: '*/10 * * * *', now: '2024-05-12T00:17:00Z', watermark: '2024-05-12T00:10:00Z', slot: null, graceMs: 5 * MINUTE, open: false, until: '2024-05-12T00:20:00Z' },
    { name: 'a starting deadline: early in its window', expression: '0 * * * *', now: '2024-05-05T02:24:59Z', watermark: '2024-05-05T01:00:00Z', slot: '2024-05-05T02:00:00Z', graceMs: 5 * MINUTE, deadlineS: 1800, open: true },
    { name: 'a starting deadline less than the grace away', expression: '0 * * * *', now: '2024-05-05T02:25:01Z', watermark: '2024-05-05T01:00:00Z', slot: '2024-05-05T02:00:00Z', graceMs: 5 * MINUTE, deadlineS: 1800, open: false, until: '2024-05-05T02:30:00.001Z' },
    { name: 'a short starting deadline: its first half', expression: '*/10 * * * *', now: '2024-05-12T00:10:29Z', watermark: '2024-05-12T00:00:00Z', slot: '2024-05-12T00:10:00Z', graceMs: 5 * MINUTE, deadlineS: 60, open: true },
    { name: 'a short starting deadline: its second half', expression: '*/10 * * * *', now: '2024-05-12T00:10:31Z', watermark: '2024-05-12T00:00:00Z', slot: '2024-05-12T00:10:00Z', graceMs: 5 * MINUTE, deadlineS: 60, open: false, until: '2024-05-12T00:11:00.001Z' },
    { name: 'no due slot, every minute: half the interval since the last tick, not the grace', expression: '* * * * *', now: '2024-05-12T00:10:29Z', watermark: '2024-05-12T00:00:00Z', slot: null, graceMs: 5 * MINUTE, open: true },
    { name: 'no due slot, every minute, its second half', expression: '* * * * *', now: '2024-05-12T00:10:31Z', watermark: '2024-05-12T00:00:00Z', slot: null, graceMs: 5 * MINUTE, open: false, until: '2024-05-12T00:11:00Z' },
    { name: 'no due slot and no watermark: the whole grace before the next tick', expression: '* * * * *', now: '2024-05-12T00:10:29Z', watermark: null, slot: null, graceMs: 5 * MINUTE, open: false, until: '2024-05-12T00:11:00Z' },
    { name: 'exactly where the starting deadline window begins: open', expression: '0 * * * *', now: '2024-05-05T02:25:00Z', watermark: '2024-05-05T01:00:00Z', slot: '2024-05-05T02:00:00Z', graceMs: 5 * MINUTE, deadlineS: 1800, open: true },
    { name: 'exactly where the slot counts as missed: open', expression: '0 * * * *', now: '2024-05-05T02:30:00.001Z', watermark: '2024-05-05T01:00:00Z', slot: '2024-05-05T02:00:00Z', graceMs: 5 * MINUTE, deadlineS: 1800, open: true },
    // Inside both windows the one that began first speaks until it ends, so the verdict changes only at a call-back.
    { name: 'inside both windows, the deadline\'s began first (11:16): its verdict until the slot is missed, not the tick\'s (from 11:17:30)', expression: '*/7 * * * *', now: '2024-05-10T11:17:45Z', watermark: '2024-05-10T11:07:00Z', slot: '2024-05-10T11:14:00Z', graceMs: 5 * MINUTE, deadlineS: 240, open: false, until: '2024-05-10T11:18:00.001Z' },
    { name: 'inside both windows, the tick\'s began first (11:17:30): its verdict until the tick, not the deadline\'s (from 11:19)', expression: '*/7 * * * *', now: '2024-05-10T11:19:30Z', watermark: '2024-05-10T11:07:00Z', slot: '2024-05-10T11:14:00Z', graceMs: 5 * MINUTE, deadlineS: 600, open: false, until: '2024-05-10T11:21:00Z' },
    { name: 'inside both windows, begun at the same instant (02:55, a deadline of an hour): the tick\'s verdict, until the tick', expression: '0 * * * *', now: '2024-05-05T02:57:00Z', watermark: '2024-05-05T01:00:00Z', slot: '2024-05-05T02:00:00Z', graceMs: 5 * MINUTE, deadlineS: 3600, open: false, until: '2024-05-05T03:00:00Z' },
    { name: 'past the starting deadline (a paused schedule keeps the slot due): open, never a callback in the past', expression: '0 * * * *', now: '2024-05-05T03:10:00Z', watermark: '2024-05-05T01:00:00Z', slot: '2024-05-05T02:00:00Z', graceMs: 5 * MINUTE, deadlineS: 1800, open: true },
  ];
  for (const c of table) {
    it(c.name, () => {
      const gate = decideQuiet(scheduleOf(c.expression), { now: at(c.now), watermark: c.watermark === null ? null : at(c.watermark), slot: c.slot === null ? null : at(c.slot), startingDeadlineMs: c.deadlineS === undefined ? null : c.deadlineS * 1000, staleViewGraceMs: c.graceMs });
      assert.equal(gate.open, c.open);
      if (!gate.open) assert.equal(gate.until, at(c.until ?? ''));
    });
  }

  it('stays open for a schedule without a next tick', () => {
    const gate = decideQuiet(scheduleOf('0 0 29 2 *'), { now: at('9999-12-31T23:59:00Z'), watermark: at('9999-01-01T00:00:00Z'), slot: null, startingDeadlineMs: null, staleViewGraceMs: 5 * MINUTE });
    assert.equal(gate.open, true);
  });
});

/** A window of the grace after an instant (`since`, null for none): each row's verdict at `now`, and its end when closed. */
function itJudgesTheGraceAfter(decide: (now: number, since: number | null, staleViewGraceMs: number) => Gate, rows: ReadonlyArray<{ name: string; now: string; since: string | null; open: boolean; until?: string }>): void {
  for (const c of rows) {
    it(c.name, () => {
      const gate = decide(at(c.now), c.since === null ? null : at(c.since), 5 * MINUTE);
      assert.equal(gate.open, c.open);
      if (!gate.open) assert.equal(gate.until, at(c.until ?? ''));
    });
  }
}

describe('decideMissedQuiet', () => {
  itJudgesTheGraceAfter((now, lastMissed, staleViewGraceMs) => decideMissedQuiet({ now, lastMissed, staleViewGraceMs }), [
    { name: 'no tick missed', now: '2024-05-06T01:20:00Z', since: null, open: true },
    { name: 'at the missed tick', now: '2024-05-06T01:20:00Z', since: '2024-05-06T01:20:00Z', open: false, until: '2024-05-06T01:25:00Z' },
    { name: 'within the grace after it', now: '2024-05-06T01:24:59Z', since: '2024-05-06T01:20:00Z', open: false, until: '2024-05-06T01:25:00Z' },
    { name: 'the grace over', now: '2024-05-06T01:25:00Z', since: '2024-05-06T01:20:00Z', open: true },
    { name: 'a missed time ahead of the clock (a hook clock behind): open, never a window longer than the grace', now: '2024-05-06T01:10:00Z', since: '2024-05-06T01:20:00Z', open: true },
  ]);
});

describe('decideRequestQuiet', () => {
  itJudgesTheGraceAfter((now, seenAt, staleViewGraceMs) => decideRequestQuiet({ now, seenAt: seenAt ?? now, staleViewGraceMs }), [
    { name: 'first seen now', now: '2024-05-01T00:12:00Z', since: '2024-05-01T00:12:00Z', open: false, until: '2024-05-01T00:17:00Z' },
    { name: 'within the grace', now: '2024-05-01T00:16:59Z', since: '2024-05-01T00:12:00Z', open: false, until: '2024-05-01T00:17:00Z' },
    { name: 'the grace over', now: '2024-05-01T00:17:00Z', since: '2024-05-01T00:12:00Z', open: true },
  ]);
});

describe('decideEditQuiet', () => {
  itJudgesTheGraceAfter((now, editSeenAt, staleViewGraceMs) => decideEditQuiet({ now, editSeenAt, staleViewGraceMs }), [
    { name: 'no edit seen', now: '2024-05-06T01:20:00Z', since: null, open: true },
    { name: 'the edit seen now', now: '2024-05-06T01:20:00Z', since: '2024-05-06T01:20:00Z', open: false, until: '2024-05-06T01:25:00Z' },
    { name: 'within the grace', now: '2024-05-06T01:24:59Z', since: '2024-05-06T01:20:00Z', open: false, until: '2024-05-06T01:25:00Z' },
    { name: 'the grace over', now: '2024-05-06T01:25:00Z', since: '2024-05-06T01:20:00Z', open: true },
  ]);
});

describe('decideBackupNowQuiet', () => {
  const grace = 5 * MINUTE;
  const table: Array<{ name: string; now: string; seenAt: string | null; lastMissed: string | null; editSeenAt?: string; open: boolean; until?: string; says?: RegExp }> = [
    { name: 'nothing pending: open, whatever was missed', now: '2024-05-06T01:20:00Z', seenAt: null, lastMissed: '2024-05-06T01:20:00Z', open: true },
    { name: 'first seen now: the request waits its grace', now: '2024-05-06T01:20:00Z', seenAt: '2024-05-06T01:20:00Z', lastMissed: null, open: false, until: '2024-05-06T01:25:00Z' },
    { name: 'seen long ago, a tick just missed: the missed tick\'s grace', now: '2024-05-06T01:21:00Z', seenAt: '2024-05-06T01:00:00Z', lastMissed: '2024-05-06T01:20:00Z', open: false, until: '2024-05-06T01:25:00Z' },
    { name: 'both graces over', now: '2024-05-06T01:25:00Z', seenAt: '2024-05-06T01:00:00Z', lastMissed: '2024-05-06T01:20:00Z', open: true },
    { name: 'seen long ago, an edit seen a minute ago: the edit\'s grace, in its words', now: '2024-05-06T01:21:00Z', seenAt: '2024-05-06T01:00:00Z', lastMissed: null, editSeenAt: '2024-05-06T01:20:00Z', open: false, until: '2024-05-06T01:25:00Z', says: /schedule was edited/ },
  ];
  for (const c of table) {
    it(c.name, () => {
      const gate = decideBackupNowQuiet({
        now: at(c.now),
        seenAt: c.seenAt === null ? null : at(c.seenAt),
        lastMissed: c.lastMissed === null ? null : at(c.lastMissed),
        editSeenAt: c.editSeenAt === undefined ? null : at(c.editSeenAt),
        staleViewGraceMs: grace,
      });
      assert.equal(gate.open, c.open);
      if (!gate.open) assert.equal(gate.until, at(c.until ?? ''));
      if (!gate.open && c.says !== undefined) assert.match(gate.message, c.says);
    });
  }
});

describe('the quiet windows say why they are closed, and until when', () => {
  const grace = 5 * MINUTE;
  const table: Array<{ name: string; gate: () => Gate; until: string; message: string }> = [
    {
      name: 'before a tick: the tick and the window\'s length',
      gate: () => decideQuiet(scheduleOf('*/10 * * * *'), { now: at('2024-05-12T00:15:01Z'), watermark: at('2024-05-11T18:30:00Z'), slot: at('2024-05-12T00:10:00Z'), startingDeadlineMs: null, staleViewGraceMs: grace }),
      until: '2024-05-12T00:20:00Z',
      message:
        'the next tick 2024-05-12T00:20:00Z is less than 300s away (the stale-view grace, at most half the interval): a Backup started now could overlap ' +
        'the one a sync with an older view starts then, so it starts at that tick',
    },
    {
      name: 'before a tick a minute apart: half the interval, 30 s',
      gate: () => decideQuiet(scheduleOf('* * * * *'), { now: at('2024-05-12T00:10:31Z'), watermark: at('2024-05-12T00:00:00Z'), slot: at('2024-05-12T00:10:00Z'), startingDeadlineMs: null, staleViewGraceMs: grace }),
      until: '2024-05-12T00:11:00Z',
      message:
        'the next tick 2024-05-12T00:11:00Z is less than 30s away (the stale-view grace, at most half the interval): a Backup started now could overlap ' +
        'the one a sync with an older view starts then, so it starts at that tick',
    },
    {
      name: 'before the starting deadline: the slot, the deadline and the window\'s length',
      gate: () => decideQuiet(scheduleOf('0 * * * *'), { now: at('2024-05-05T02:25:01Z'), watermark: at('2024-05-05T01:00:00Z'), slot: at('2024-05-05T02:00:00Z'), startingDeadlineMs: 1_800_000, staleViewGraceMs: grace }),
      until: '2024-05-05T02:30:00.001Z',
      message:
        'the slot 2024-05-05T02:00:00Z reaches spec.startingDeadlineSeconds at 2024-05-05T02:30:00Z, less than 300s away (the stale-view grace, at most half ' +
        'the deadline): started now, its Backup could be missing from the view of a sync after the deadline, which would start another beside it; it does not start',
    },
    {
      name: 'after a missed tick',
      gate: () => decideMissedQuiet({ now: at('2024-05-06T01:20:00Z'), lastMissed: at('2024-05-06T01:20:00Z'), staleViewGraceMs: grace }),
      until: '2024-05-06T01:25:00Z',
      message:
        'the tick 2024-05-06T01:20:00Z did not run; a sync with an older view could still run it until 2024-05-06T01:25:00Z (the stale-view grace), so no ' +
        'backup-now Backup starts beside it before then',
    },
    {
      name: 'after a backup-now request was first seen',
      gate: () => decideRequestQuiet({ now: at('2024-05-01T00:12:00Z'), seenAt: at('2024-05-01T00:12:00Z'), staleViewGraceMs: grace }),
      until: '2024-05-01T00:17:00Z',
      message:
        'it was first seen at 2024-05-01T00:12:00Z and starts after the stale-view grace, at 2024-05-01T00:17:00Z: a Backup an earlier request started may ' +
        'not be in every view before then',
    },
    {
      name: 'after an edit was first seen',
      gate: () => decideEditQuiet({ now: at('2024-05-06T01:20:00Z'), editSeenAt: at('2024-05-06T01:20:00Z'), staleViewGraceMs: grace }),
      until: '2024-05-06T01:25:00Z',
      message:
        'the schedule was edited (first seen at 2024-05-06T01:20:00Z): a Backup started under the old schedule may not be in every view yet, so nothing ' +
        'starts before 2024-05-06T01:25:00Z (the stale-view grace)',
    },
  ];
  for (const c of table) {
    it(c.name, () => {
      assert.deepEqual(c.gate(), { open: false, message: c.message, until: at(c.until), blocker: null });
    });
  }
});
