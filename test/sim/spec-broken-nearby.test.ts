/**
 * Broken windows (fault `spec-broken`) beside other faults: each kind of fault the mixed worlds draw, placed around a
 * window over a tick, leaves the outcome determined (spec-fix.ts, spec-fix-neighbours.ts): the real hook is judged and
 * passes, and the broken hooks are caught at that window: one that never catches up at every catch-up, one that
 * forgets the pause at every skip, one that catches up however late at every window whose tick's window closed first.
 */

import assert from 'node:assert/strict';

import { formatTime } from '../../src/core/time.js';
import { runChecked } from '../../src/sim/invariants/run.js';
import type { InvariantNumber } from '../../src/sim/invariants/types.js';
import type { Fault, Scenario, SpecBroken } from '../../src/sim/scenario.js';
import { brokenSpecHooks, editBlindHook, lateCatchUpHook } from './support/broken-hooks.js';
import { BROKEN_SPEC_WORLD } from './support/broken-spec-world.js';
import { describeViolations } from './support/property-run.js';
import { patchOf } from './support/spec-broken-arbitrary.js';
import type { Breakage } from './support/spec-broken-arbitrary.js';
import { verdictsOf } from './support/spec-fix-verdicts.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const START = Date.parse('2024-05-01T00:00:00Z');
const SPEC = {
  schedule: '0 */4 * * *',
  maxBackups: 3,
  skipMissedOnUnpause: true,
  backupTemplate: { backupType: 'full', br: { cluster: 'basic' }, s3: { bucket: 'b', prefix: 'p' } },
};

/** The offset of day `d` (of the run, from 0), `h`:`m`. */
const at = (d: number, h: number, m = 0): number => d * DAY + h * HOUR + m * MINUTE;
/** The instant of day `d`, `h`:`m`, as the check writes it. */
const tick = (d: number, h: number, m = 0): string => formatTime(START + at(d, h, m));

/** A broken window from day `d`, `h`:`m`, `forMs` long, with a mistake of the kind and maybe a pause. */
const broken = (d: number, h: number, m: number, forMs: number, breakage: Breakage, pause?: SpecBroken['pause']): SpecBroken => ({
  kind: 'spec-broken',
  atMs: at(d, h, m),
  forMs,
  patch: patchOf(SPEC, breakage),
  ...(pause === undefined ? {} : { pause }),
});

/** A window over a tick, what lies near it, and what the check expects of its tick. */
interface Nearby {
  name: string;
  faults: Fault[];
  /** Verdicts of its broken windows, in order: the expected outcome, or why it is not judged. */
  verdicts: string[];
  tick: string;
}

/** nearby makes a row of {@link NEARBY}. */
const nearby = (name: string, tickAt: string, verdicts: string[], faults: Fault[]): Nearby => ({ name, faults, verdicts, tick: tickAt });

/**
 * Every four hours, skipMissedOnUnpause, lags up to 20 s, a grace of 5 minutes, Backups of 3–6 minutes, the resync
 * period an hour (for cost). One window a half-day over a tick, with its neighbour:
 */
const NEARBY: Nearby[] = [
  nearby("over the schedule's first tick (no Backup before it: its gate open)", tick(0, 4), ['catch-up'], [broken(0, 1, 30, 5 * HOUR, 'retention')]),
  nearby('a second window inside the first (one span, judged once)', tick(1, 4), ['catch-up', 'judged with an earlier window it overlaps'],
    [broken(1, 1, 30, 5 * HOUR, 'duration'), broken(1, 2, 0, HOUR, 'timeout')]),
  nearby('the hook restarting across the fix (the catch-up comes after its backoff)', tick(1, 16), ['catch-up'],
    [broken(1, 13, 30, 5 * HOUR, 'cron'), { kind: 'hook-restart', atMs: at(1, 18), forMs: 45 * MINUTE }]),
  nearby('Metacontroller restarting across the fix', tick(2, 4), ['catch-up'],
    [broken(2, 1, 30, 5 * HOUR, 'retention'), { kind: 'metacontroller-restart', atMs: at(2, 6, 25), forMs: 15 * MINUTE }]),
  nearby('a pause before the break, lifted while broken (skipped: the pause was seen)', tick(2, 16), ['skip'],
    [{ kind: 'pause', atMs: at(2, 13), forMs: 90 * MINUTE }, broken(2, 14, 0, 4.5 * HOUR, 'time-zone')]),
  nearby("the hook's clock a minute ahead from inside the window", tick(3, 4), ['catch-up'],
    [broken(3, 1, 30, 5 * HOUR, 'cron'), { kind: 'clock-jump', atMs: at(3, 3), byMs: MINUTE }]),
  nearby('a backup-now request while broken (the catch-up goes first)', tick(3, 16), ['catch-up'],
    [broken(3, 13, 30, 3.5 * HOUR, 'duration'), { kind: 'backup-now', atMs: at(3, 15), token: 'nowwhilebrkn' }]),
  nearby('the last Backup deleted by a user while broken', tick(4, 4), ['catch-up'],
    [broken(4, 1, 30, 5 * HOUR, 'cron'), { kind: 'backups-deleted', atMs: at(4, 3), which: 'newest' }]),
  nearby('the status wiped while paused and broken (the pause seen again)', tick(4, 16), ['skip'],
    [broken(4, 13, 30, 5 * HOUR, 'retention', { aheadMs: 30 * MINUTE }), { kind: 'status-wiped', atMs: at(4, 15) }]),
  nearby("the tick before the window refused by the API server (its grace long over at the fix)", tick(5, 4), ['catch-up'],
    [{ kind: 'create-errors', atMs: at(4, 23, 55), forMs: 15 * MINUTE, rate: 1 }, broken(5, 1, 30, 5 * HOUR, 'cron')]),
  nearby('fixed in the quiet window before the next tick (missed)', tick(5, 16), ['missed'], [broken(5, 13, 30, 6 * HOUR + 27 * MINUTE, 'cron')]),
  nearby('an edit of the schedule an hour before the break (the edited schedule catches up)', tick(6, 4, 30), ['catch-up'],
    [{ kind: 'edit', atMs: at(6, 0, 30), spec: { schedule: '30 */4 * * *' } }, broken(6, 1, 30, 5 * HOUR, 'timeout')]),
  nearby('the hook answering 500 across the fix', tick(6, 16, 30), ['catch-up'],
    [broken(6, 13, 30, 4 * HOUR, 'duration'), { kind: 'hook-errors', atMs: at(6, 16), forMs: 2 * HOUR, rate: 1 }]),
  nearby("Metacontroller down from before the fix until the tick's window closed (missed)", tick(7, 4, 30), ['missed'],
    [broken(7, 1, 30, 5 * HOUR, 'cron'), { kind: 'metacontroller-restart', atMs: at(7, 6), forMs: 2 * HOUR + 27 * MINUTE }]),
  nearby('the schedule edited while broken (the first sync after the fix sees the edit: nothing due before it runs)', tick(10, 4, 15), ['skip'],
    [broken(10, 1, 30, 5 * HOUR, 'timeout'), { kind: 'edit', atMs: at(10, 3), spec: { schedule: '15 */4 * * *' } }]),
  // Left unjudged where the outcome is not determined: the real hook goes either way (a check that judged them would
  // report it here).
  nearby('the status wiped while broken, after the pause was lifted (the hook forgot the pause: it catches up)', tick(8, 4, 30), ['the pause may not have been seen before the fix'],
    [{ kind: 'pause', atMs: at(8, 1), forMs: 90 * MINUTE }, broken(8, 2, 0, 4.5 * HOUR, 'time-zone'), { kind: 'status-wiped', atMs: at(8, 3) }]),
  nearby('the catch-up deleted by a user right after it was created (asked for again: run twice)', tick(8, 16, 30), ['a user deleted Backups after the fix, before the next tick'],
    [broken(8, 13, 30, 4 * HOUR, 'cron'), { kind: 'backups-deleted', atMs: at(8, 17, 31), which: 'newest' }]),
  nearby('child creates refused from before the fix for a quarter-hour (the catch-up lost)', tick(9, 4, 30), ['child creates were refused around its catch-up'],
    [broken(9, 1, 30, 5 * HOUR, 'cron'), { kind: 'create-errors', atMs: at(9, 6, 29), forMs: 16 * MINUTE, rate: 1 }]),
  nearby('the status wiped after a skip was decided (the skipped tick then runs)', tick(9, 16, 30), ['the status was wiped after the fix, before the next tick'],
    [broken(9, 13, 30, 5 * HOUR, 'retention', { aheadMs: 30 * MINUTE }), { kind: 'status-wiped', atMs: at(9, 18, 40) }]),
];

const SCENARIO: Scenario = {
  seed: 75,
  start: formatTime(START),
  durationMs: 12 * DAY,
  controller: 'hook',
  schedule: { name: 'nightly', namespace: 'db', spec: SPEC },
  ...BROKEN_SPEC_WORLD,
  metacontroller: { ...BROKEN_SPEC_WORLD.metacontroller, resyncPeriodSeconds: 3600 },
  faults: NEARBY.flatMap((nearby) => nearby.faults),
};

const ALL: InvariantNumber[] = [1, 2, 3, 4, 5, 6, 11];

describe('sim: a spec broken and fixed beside other faults (fault spec-broken, invariant 5)', function () {
  this.timeout(0);

  it('judges every window beside each kind of fault, and the real hook passes', async () => {
    const judged = verdictsOf(SCENARIO);
    const { violations } = await runChecked({ invariants: ALL, scenario: SCENARIO }, { observers: [judged.observer] });
    assert.deepEqual(describeViolations(violations), []);
    const verdicts = judged.verdicts.map((v) => v.skipped ?? v.expected);
    assert.deepEqual(verdicts, NEARBY.flatMap((nearby) => nearby.verdicts));
    assert.equal(judged.verdicts[1]?.merged, 1, 'the overlapping windows are one span');
  });

  const hooks = brokenSpecHooks(SCENARIO.hook);
  const cases = [
    { broken: hooks.find((h) => /never catches up/.test(h.name)), expected: 'catch-up' },
    { broken: hooks.find((h) => /forgets a pause/.test(h.name)), expected: 'skip', only: /paus/ },
    { broken: lateCatchUpHook(SCENARIO.hook), expected: 'missed' },
    { broken: editBlindHook(SCENARIO.hook), expected: 'skip', only: /edited while broken/ },
  ];
  for (const { broken, expected, only } of cases) {
    it(`catches a hook that ${broken?.name ?? '?'} at every window judged "${expected}"${only === undefined ? '' : ` (${only.source})`}`, async () => {
      assert.ok(broken !== undefined);
      const { violations } = await runChecked({ invariants: [1, 2, 3, 4, 5, 11], scenario: SCENARIO }, { hook: broken.hook });
      const reports = violations.filter((v) => v.invariant === broken.breaks && broken.says.test(v.message)).map((v) => v.message);
      for (const nearby of NEARBY.filter((n) => n.verdicts[0] === expected && (only === undefined || only.test(n.name)))) {
        assert.ok(reports.some((message) => message.startsWith(`tick ${nearby.tick}`)), `${nearby.name}: no report for ${nearby.tick} in ${reports.join('; ')}`);
      }
      const unexpected = violations.filter((v) => v.invariant !== broken.breaks && !(broken.alsoBreaks ?? []).includes(v.invariant));
      assert.deepEqual(describeViolations(unexpected).slice(0, 5), []);
    });
  }
});
