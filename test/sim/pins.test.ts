/**
 * Pins in the simulator (faults `backup-pinned`, `backup-unpinned`): a pin is a write to the Backup that reaches the
 * cache after its lag, and invariant 4 judges it in the request, as the hook sees it. A pin that reaches the view
 * before retention would delete the Backup saves it; one still on its way does not (Metacontroller deletes with a uid
 * precondition, not a resourceVersion), and the check does not blame the hook for it.
 */

import assert from 'node:assert/strict';

import { KEEP_ANNOTATION } from '../../src/core/names.js';
import { runChecked } from '../../src/sim/invariants/run.js';
import { hourlyPinWorld as hourly } from './support/hourly-pin-world.js';
import { describeViolations } from './support/property-run.js';

const SECOND = 1000;
const HOUR = 3_600_000;

/** pinOfOldestAt runs the world with the oldest Backup (01:00) pinned at 03:00 plus `offsetMs`, and reads what became of it. */
async function pinOfOldestAt(offsetMs: number): Promise<{ violations: string[]; deletingAt: number | null; pinnedInStore: boolean }> {
  const { violations, world } = await runChecked({ invariants: [1, 2, 3, 4, 5, 6, 11], scenario: hourly([{ kind: 'backup-pinned', atMs: 3 * HOUR + offsetMs, which: 'oldest' }]) });
  const record = [...world.recorder.backups.values()].find((r) => r.name === 'hourly-2024-05-01t01-00-00');
  assert.ok(record !== undefined, 'the 01:00 Backup was made');
  return { violations: describeViolations(violations), deletingAt: record.deletingAt, pinnedInStore: record.object.metadata?.annotations?.[KEEP_ANNOTATION] === 'true' };
}

describe('sim: pins a user sets', function () {
  this.timeout(0);

  it('a pin the view shows before retention reaches the Backup saves it, to the end of the run', async () => {
    // Pinned at 03:00:30: in the view at 03:00:50, before the sync at 03:01:23 that would delete it.
    const { violations, deletingAt, pinnedInStore } = await pinOfOldestAt(30 * SECOND);
    assert.deepEqual(violations, []);
    assert.equal(deletingAt, null, 'the pinned 01:00 Backup is kept');
    assert.ok(pinnedInStore);
  });

  it('a pin still on its way to the cache does not save it, and invariant 4, judging the view, does not blame the hook', async () => {
    // Pinned at 03:01:10: in the store when the sync at 03:01:23 deletes it, in the view only at 03:01:30.
    const { violations, deletingAt, pinnedInStore } = await pinOfOldestAt(70 * SECOND);
    assert.deepEqual(violations, []);
    assert.ok(deletingAt !== null && deletingAt > Date.parse('2024-05-01T03:01:10Z') && deletingAt < Date.parse('2024-05-01T03:01:30Z'), `deleted between the pin and its arrival (${String(deletingAt)})`);
    assert.ok(pinnedInStore, 'the store had it pinned when it went');
  });
});
