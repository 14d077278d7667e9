/**
 * Schedule groups: the order a record of extra turns (`status.groupTurn`) was written in. Versions before turns went by
 * due slot wrote records by name, with no `order`; such a record still says which siblings had their extra turns, so
 * after an upgrade none is skipped (the order of turns read into it would skip one) and none gets a second one but for
 * a sibling overdue only after the record was seen. Records in the order of turns (`order: "slot"`) behave as before.
 */

import assert from 'node:assert/strict';

import { decide } from '../../src/core/sync.js';
import type { JsonObject } from '../../src/core/types.js';
import { BR_TEMPLATE, backup, request, schedule } from '../support/objects.js';
import { assertValidResponse } from '../support/response-schema.js';

const GROUP = { 'tidb.pingcap.com/backup-schedule-group': 'nightly-group' };
const at = (hhmm: string): string => `2024-05-10T${hhmm}:00Z`;
const grouped = (b: ReturnType<typeof backup>): ReturnType<typeof backup> => ({ ...b, metadata: { ...b.metadata, labels: { ...b.metadata?.labels, ...GROUP } } });
const hourBefore = (hhmm: string): string => new Date(Date.parse(at(hhmm)) - 3_600_000).toISOString().slice(11, 16);

/** A schedule of the group, hourly at the minute of `slot` (hh:mm): its last Backup, complete and in the view, the hour before. */
function member(name: string, slot: string): { schedule: ReturnType<typeof schedule>; last: ReturnType<typeof backup> } {
  const last = hourBefore(slot);
  return {
    schedule: schedule({
      name,
      spec: { schedule: `${Number(slot.slice(3))} * * * *`, backupTemplate: BR_TEMPLATE },
      labels: GROUP,
      status: { lastBackup: `${name}-2024-05-10t${last.replace(':', '-')}-00`, lastBackupTime: at(last) },
    }),
    last: backup({ schedule: name, slot: at(last) }),
  };
}
type Member = ReturnType<typeof member>;

/** `self`'s answer at `now` (hh:mm) with `status`, its siblings and their last Backups related: none of their due Backups is in the view. */
function decideAt(self: Member, options: { siblings: readonly Member[]; status: JsonObject; now: string }) {
  const parent = { ...self.schedule, status: options.status };
  const related = {
    'BackupSchedule.pingcap.com/v1alpha1': Object.fromEntries([parent, ...options.siblings.map((m) => m.schedule)].map((s) => [`db/${s.metadata.name}`, s])),
    'Backup.pingcap.com/v1alpha1': Object.fromEntries(options.siblings.map((m) => grouped(m.last)).map((b) => [`db/${b.metadata?.name}`, b])),
  };
  return decide(request(parent, [self.last], { related }), { now: Date.parse(at(options.now)) }).response;
}

/** A schedule written `name hh:mm`, due at that slot. */
function parse(text: string): Member {
  const [name = '', slot = ''] = text.split(' ');
  return member(name, slot);
}

/** `status.groupTurn` as written: by a version before (no `order`), or in the order of turns. */
function record(text: string, order?: 'slot'): JsonObject {
  const [schedule = '', slot = '', seenAt = ''] = text.split(' ');
  return { schedule, slot: at(slot), seenAt: at(seenAt), ...(order === undefined ? {} : { order }) };
}

/**
 * The worlds: nightly and its siblings (`name hh:mm`, due at that slot), none started, the hook or Metacontroller down
 * across their slots; `recorded`: nightly's `status.groupTurn` when the syncs below begin (`sibling slot seenAt`).
 * `steps`: at each sync (hh:mm), the sibling given its extra turn and since when (`sibling seenAt`), and until when
 * nightly waits (hh:mm), or null when nightly's Backup starts.
 */
interface World {
  name: string;
  self: string;
  siblings: string[];
  recorded: JsonObject;
  steps: Array<[now: string, turn: string, waitsUntil: string | null]>;
}

function runSteps(world: World): Array<[string, string, string | null]> {
  const self = parse(world.self);
  const siblings = world.siblings.map(parse);
  const created = `nightly-2024-05-10t${world.self.split(' ')[1]?.replace(':', '-')}-00`;
  let status: JsonObject = { ...self.schedule.status, groupTurn: world.recorded };
  const steps: Array<[string, string, string | null]> = [];
  for (const [now] of world.steps) {
    const answer = decideAt(self, { siblings, status, now });
    const turn = answer.status['groupTurn'] as { schedule: string; seenAt: string } | undefined;
    const ready = String((answer.status.conditions ?? []).find((x) => x.type === 'Ready')?.message);
    const waits = answer.children.some((x) => x.metadata.name === created) ? null : (/waiting until 2024-05-10T(\d\d:\d\d):00Z/.exec(ready)?.[1] ?? ready);
    steps.push([now, turn === undefined ? 'none' : `${turn.schedule} ${turn.seenAt.slice(11, 16)}`, waits]);
    status = answer.status;
  }
  return steps;
}

describe('schedule groups: a record of extra turns written by name, by a version before turns went by due slot', () => {
  // Names sort alpha, beta, gamma, nightly. In the order of turns, a sibling due earlier goes first.
  const worlds: World[] = [
    {
      // By name alpha came first, so the version before gave alpha its turn; in the order of turns beta (10:58) comes
      // before alpha, and the order of turns read into the record found nobody after alpha: beta was skipped.
      name: "alpha's turn recorded by name (11:20): beta, due earlier but after it by name, still gets its turn",
      self: 'nightly 11:00',
      siblings: ['alpha 11:00', 'beta 10:58'],
      recorded: record('alpha 11:00 11:20'),
      steps: [['11:24', 'alpha 11:20', '11:25'], ['11:25', 'beta 11:25', '11:30'], ['11:29', 'beta 11:25', '11:30'], ['11:30', 'beta 11:25', null]],
    },
    {
      // alpha had its turn from 11:10, beta from 11:15: both had theirs. Read in the order of turns, alpha (after beta)
      // got a second one.
      name: "beta's turn recorded by name (11:15), after alpha's: every sibling had its turn, none gets a second one",
      self: 'nightly 11:00',
      siblings: ['alpha 11:00', 'beta 10:58'],
      recorded: record('beta 10:58 11:15'),
      steps: [['11:19', 'beta 11:15', '11:20'], ['11:20', 'beta 11:15', null], ['11:21', 'beta 11:15', null]],
    },
    {
      // beta's turn was recorded at 11:06, when alpha (due 11:05, its turn until 11:10) was not overdue: alpha did not
      // have its extra turn, although its name sorts first. Every sibling that had its turn comes before alpha in the
      // order of turns, so the record is back in that order.
      name: "beta's turn recorded by name (11:06) before alpha was overdue: alpha gets its turn",
      self: 'nightly 11:10',
      siblings: ['alpha 11:05', 'beta 11:00'],
      recorded: record('beta 11:00 11:06'),
      steps: [['11:10', 'beta 11:06', '11:11'], ['11:11', 'alpha 11:11', '11:16'], ['11:15', 'alpha 11:11', '11:16'], ['11:16', 'alpha 11:11', null]],
    },
    {
      // As above, and gamma (10:58, after beta by name) had no turn either. The order of turns read into the record gave
      // alpha its turn and skipped gamma. One record cannot hold beta as had and alpha and gamma as not in either order:
      // beta gets a second turn, none is skipped.
      name: "beta's turn recorded by name (11:06), alpha overdue after it and gamma due earlier: each gets its turn",
      self: 'nightly 11:10',
      siblings: ['alpha 11:05', 'beta 11:00', 'gamma 10:58'],
      recorded: record('beta 11:00 11:06'),
      steps: [['11:11', 'alpha 11:11', '11:16'], ['11:16', 'beta 11:16', '11:21'], ['11:21', 'gamma 11:21', '11:26'], ['11:26', 'gamma 11:21', null]],
    },
    {
      name: 'a record by name of another slot: the turns start over in the order of turns',
      self: 'nightly 11:00',
      siblings: ['alpha 11:00', 'beta 10:58'],
      recorded: record('alpha 10:00 10:20'),
      steps: [['11:20', 'beta 11:20', '11:25'], ['11:25', 'alpha 11:25', '11:30'], ['11:30', 'alpha 11:25', null]],
    },
  ];
  for (const world of worlds) {
    it(world.name, () => {
      assert.deepEqual(runSteps(world), world.steps);
    });
  }
});

describe('schedule groups: a record of extra turns in the order of turns (order: "slot") behaves as before', () => {
  const worlds: World[] = [
    {
      name: "beta's turn (11:20): alpha, after it in the order of turns, gets its turn next",
      self: 'nightly 11:00',
      siblings: ['alpha 11:00', 'beta 10:58'],
      recorded: record('beta 10:58 11:20', 'slot'),
      steps: [['11:24', 'beta 11:20', '11:25'], ['11:25', 'alpha 11:25', '11:30'], ['11:30', 'alpha 11:25', null]],
    },
    {
      // The same record as the first by name above: in the order of turns alpha comes after beta, so beta had its turn.
      name: "alpha's turn (11:20): the last in the order of turns, nightly starts when it ends",
      self: 'nightly 11:00',
      siblings: ['alpha 11:00', 'beta 10:58'],
      recorded: record('alpha 11:00 11:20', 'slot'),
      steps: [['11:24', 'alpha 11:20', '11:25'], ['11:25', 'alpha 11:20', null], ['11:26', 'alpha 11:20', null]],
    },
    {
      name: "gamma's turn (11:06), beta's turn ending 11:05: beta next, then alpha once overdue",
      self: 'nightly 11:10',
      siblings: ['alpha 11:05', 'beta 11:00', 'gamma 10:58'],
      recorded: record('gamma 10:58 11:06', 'slot'),
      steps: [['11:11', 'beta 11:11', '11:16'], ['11:16', 'alpha 11:16', '11:21'], ['11:21', 'alpha 11:16', null]],
    },
    {
      name: "beta's turn (11:06), before alpha was overdue: alpha next",
      self: 'nightly 11:10',
      siblings: ['alpha 11:05', 'beta 11:00'],
      recorded: record('beta 11:00 11:06', 'slot'),
      steps: [['11:11', 'alpha 11:11', '11:16'], ['11:16', 'alpha 11:11', null]],
    },
  ];
  for (const world of worlds) {
    it(world.name, () => {
      assert.deepEqual(runSteps(world), world.steps);
    });
  }
});

describe('schedule groups: the order status.groupTurn is written in', () => {
  const siblings = ['alpha 11:00', 'beta 10:58'].map(parse);
  const self = parse('nightly 11:00');
  const cases: ReadonlyArray<{ name: string; recorded: JsonObject | null; now: string; writes: JsonObject }> = [
    { name: 'a first turn: in the order of turns', recorded: null, now: '11:20', writes: record('beta 10:58 11:20', 'slot') },
    { name: 'a turn after one in the order of turns: in that order', recorded: record('beta 10:58 11:20', 'slot'), now: '11:25', writes: record('alpha 11:00 11:25', 'slot') },
    { name: 'a record by name, within its grace: kept as written', recorded: record('alpha 11:00 11:20'), now: '11:24', writes: record('alpha 11:00 11:20') },
    { name: 'a turn after a record by name, the one that had its turn after it in the order of turns: by name', recorded: record('alpha 11:00 11:20'), now: '11:25', writes: record('beta 10:58 11:25') },
    { name: 'a record by name after the last by name: kept as written', recorded: record('beta 10:58 11:15'), now: '11:20', writes: record('beta 10:58 11:15') },
    { name: "an order this version does not know: read by name, as a version before's", recorded: { ...record('alpha 11:00 11:20'), order: 'due' }, now: '11:25', writes: record('beta 10:58 11:25') },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const status: JsonObject = { ...self.schedule.status, ...(c.recorded === null ? {} : { groupTurn: c.recorded }) };
      const answer = decideAt(self, { siblings, status, now: c.now });
      assert.deepEqual(answer.status['groupTurn'], c.writes);
      assertValidResponse(JSON.parse(JSON.stringify(answer)));
    });
  }
});
