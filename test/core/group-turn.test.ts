/**
 * The extra turns of overdue siblings in a schedule group, as the exported decisions give them: how `status.groupTurn`
 * reads back, and which sibling has the turn when the record no longer holds or was written by name.
 */

import assert from 'node:assert/strict';

import { decideOverdueTurn, groupTurnOf } from '../../src/core/group-turn.js';
import type { GroupTurn, OverdueSibling, OverdueTurn } from '../../src/core/group-turn.js';

const at = (hhmmss: string): number => Date.parse(`2024-05-01T${hhmmss}Z`);
const GRACE = 5 * 60_000;

describe('groupTurnOf: status.groupTurn as it reads back', () => {
  const turn = { schedule: 'alpha', slot: '2024-05-01T01:00:00Z', seenAt: '2024-05-01T01:06:00Z' };
  const cases: ReadonlyArray<{ name: string; recorded: unknown; want: GroupTurn | null }> = [
    { name: 'a record without an order was written by name', recorded: turn, want: { schedule: 'alpha', slot: at('01:00:00'), seenAt: at('01:06:00'), order: 'name' } },
    { name: 'a record in the order of turns', recorded: { ...turn, order: 'slot' }, want: { schedule: 'alpha', slot: at('01:00:00'), seenAt: at('01:06:00'), order: 'slot' } },
    { name: 'an order it does not know reads as by name', recorded: { ...turn, order: 'due' }, want: { schedule: 'alpha', slot: at('01:00:00'), seenAt: at('01:06:00'), order: 'name' } },
    { name: 'none recorded', recorded: undefined, want: null },
    { name: 'null', recorded: null, want: null },
    { name: 'a text', recorded: 'alpha', want: null },
    { name: 'no schedule', recorded: { slot: turn.slot, seenAt: turn.seenAt }, want: null },
    { name: 'a schedule that is not a text', recorded: { ...turn, schedule: 7 }, want: null },
    { name: 'an unreadable slot', recorded: { ...turn, slot: 'soon' }, want: null },
    { name: 'an unreadable seenAt', recorded: { ...turn, seenAt: 'soon' }, want: null },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(groupTurnOf(c.recorded === undefined ? {} : { groupTurn: c.recorded as never }), c.want));
});

/** Three overdue siblings, listed out of the order of turns: beta due at 01:00, gamma and alpha at 02:00, all turns ended at `ended`. */
function threeOverdue(ended: number): OverdueSibling[] {
  return [
    { schedule: 'gamma', slot: at('02:00:00'), turnEndedAt: ended },
    { schedule: 'alpha', slot: at('02:00:00'), turnEndedAt: ended },
    { schedule: 'beta', slot: at('01:00:00'), turnEndedAt: ended },
  ];
}

describe('decideOverdueTurn: a record that no longer holds gives the turn anew, in the order of turns', () => {
  // Three overdue siblings: beta due at 01:00, alpha and gamma at 02:00; their turns ended at 02:18. Now is 02:20.
  const now = at('02:20:00');
  const ended = at('02:18:00');
  const listed = threeOverdue(ended);
  const anew: OverdueTurn = { record: { schedule: 'beta', slot: at('01:00:00'), seenAt: now, order: 'slot' }, until: now + GRACE };
  const seenAMinuteAgo = at('02:19:00');
  const cases: ReadonlyArray<{ name: string; recorded: GroupTurn | null; want: OverdueTurn }> = [
    { name: 'none recorded: the first in the order of turns (the earliest due), seen now', recorded: null, want: anew },
    {
      name: 'the recorded one holds for a grace from when it was seen',
      recorded: { schedule: 'alpha', slot: at('02:00:00'), seenAt: seenAMinuteAgo, order: 'slot' },
      want: { record: { schedule: 'alpha', slot: at('02:00:00'), seenAt: seenAMinuteAgo, order: 'slot' }, until: seenAMinuteAgo + GRACE },
    },
    { name: 'a record of a sibling no longer overdue', recorded: { schedule: 'delta', slot: at('02:00:00'), seenAt: seenAMinuteAgo, order: 'slot' }, want: anew },
    { name: 'a record of an overdue sibling for another slot', recorded: { schedule: 'alpha', slot: at('01:00:00'), seenAt: seenAMinuteAgo, order: 'slot' }, want: anew },
    { name: 'a record of an overdue sibling seen before its turn ended (the group was freed since)', recorded: { schedule: 'alpha', slot: at('02:00:00'), seenAt: at('02:17:59'), order: 'slot' }, want: anew },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(decideOverdueTurn(listed, { now, staleViewGraceMs: GRACE, recorded: c.recorded }), c.want));
});

describe('decideOverdueTurn: a record written by name follows by name while it is out of the order of turns', () => {
  // beta is due first, alpha and gamma later; a version before the order of turns gave alpha its turn by name, and it has ended.
  const now = at('03:00:00');
  const ended = at('02:05:00');
  const listed = threeOverdue(ended);
  it('the next by name after the one recorded, written by name, whatever order the siblings are listed in', () => {
    const recorded: GroupTurn = { schedule: 'alpha', slot: at('02:00:00'), seenAt: at('02:10:00'), order: 'name' };
    for (const order of [listed, [...listed].reverse()]) {
      assert.deepEqual(decideOverdueTurn(order, { now, staleViewGraceMs: GRACE, recorded }), { record: { schedule: 'beta', slot: at('01:00:00'), seenAt: now, order: 'name' }, until: now + GRACE });
    }
  });
});
