/**
 * The pin-race hunt (`npm run sim:soak -- --grep "pin race"`, the plain worlds alone `"pin race:"`): worlds of
 * `support/pin-race-arbitrary.ts`, each run once, then again after each step that pins or unpins a Backup around the
 * instant retention lets it go (`support/pin-race.ts`), every run under invariants 1–9 and 11; and the same in three more situations
 * (`support/pin-race-situations.ts`): `--grep "pin race in schedule groups"`, `"pin race beside clock steps"`, `"pin
 * race in stuck caches"`. Sizes from the environment: SIM_SOAK_RUNS (plain worlds are three times that, default 60;
 * each situation's as many, default 20), SIM_SEED, SIM_TIME_LIMIT_MS (no world is started past it, per property),
 * SIM_VERBOSE=1 (a line per world). A world with a violation is written to `.tmp/sim-failures/` and the hunt goes on;
 * the test fails at the end, after printing the counts.
 */

import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import fc from 'fast-check';

import type { InvariantNumber } from '../../../src/sim/invariants/types.js';
import { stuckWindowsOf } from '../../../src/sim/scenario.js';
import { pinRaceCaseArb } from '../support/pin-race-arbitrary.js';
import type { PinRaceCase } from '../support/pin-race-arbitrary.js';
import { PIN_RACE_INVARIANTS, pinRaceSituationArb } from '../support/pin-race-situations.js';
import type { PinRaceSituation } from '../support/pin-race-situations.js';
import { huntPinRaces, ruleOf } from '../support/pin-race.js';
import type { PinRaceHunt, PlacedPin } from '../support/pin-race.js';
import { FAILURE_DIR, describeViolations } from '../support/property-run.js';

const RUNS = Number(process.env['SIM_SOAK_RUNS'] ?? 20);
const SEED = Number(process.env['SIM_SEED'] ?? Date.now() % 2 ** 31);
const TIME_LIMIT_MS = Number(process.env['SIM_TIME_LIMIT_MS'] ?? Infinity);
/** SIM_VERBOSE=1 prints each world's schedule, runs, time and outcomes. */
const VERBOSE = process.env['SIM_VERBOSE'] === '1';

/** A tally of named counts. */
type Tally = Map<string, number>;

/** count adds one to a tally. */
function count(tally: Tally, key: string): void {
  tally.set(key, (tally.get(key) ?? 0) + 1);
}

function show(tally: Tally): string {
  return [...tally.entries()].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ');
}

/** What a situation counts of each placed write besides the outcomes: the companion and where the write fell. */
function situationCounts(situation: PinRaceSituation, placed: PlacedPin, context: { hunt: PinRaceHunt; outcome: string; lagMs: number; tally: Tally }): void {
  const { hunt, outcome, lagMs, tally } = context;
  const start = Date.parse(hunt.scenario.start);
  if (situation === 'groups') {
    count(tally, placed.schedule === hunt.scenario.schedule.name ? "the schedule's own Backup" : "a sibling's Backup");
    return;
  }
  if (placed.companion === undefined) return;
  const { fault, targetBefore } = placed.companion;
  const moved = placed.targetReadAt - targetBefore;
  count(tally, `target moved ${moved < 0 ? 'earlier' : moved > 0 ? 'later' : 'not'}`);
  if (fault.kind === 'clock-jump') {
    count(tally, `step ${fault.byMs >= 0 ? 'forward' : 'back'}`);
    count(tally, `${placed.pin ? 'pin' : 'unpin'} written ${placed.writtenAt < start + fault.atMs ? 'before' : 'after'} the step`);
    return;
  }
  if (fault.kind !== 'cache-stuck') return;
  const from = start + fault.atMs;
  const to = from + fault.forMs;
  count(tally, `window ${fault.which}`);
  count(tally, `${placed.pin ? 'pin' : 'unpin'} written ${placed.writtenAt < from ? 'before' : placed.writtenAt < to ? 'in' : 'after'} the window`);
  if (outcome === 'lost-while-stuck') {
    // Only a window holding Backups that the pin's arrival (within a lag of its write) fell in, before the read, keeps it out of the view that long.
    const retired = hunt.runs[hunt.runs.length - 1]?.retirements.find((r) => r.name === placed.name);
    const held = stuckWindowsOf(hunt.scenario, start).some((w) => w.kinds.has('Backup') && retired !== undefined && w.from <= Math.min(retired.readAt, placed.writtenAt + lagMs) && w.to > placed.writtenAt);
    count(tally, `lost while stuck: ${held ? 'a window held it' : 'NO WINDOW (unexplained)'}`);
  }
}

/** soak runs the hunt over the cases, prints its counts, and fails if any run broke an invariant. */
async function soak(cases: readonly PinRaceCase[], options: { invariants: readonly InvariantNumber[]; name: string; situation?: PinRaceSituation }): Promise<void> {
  let syncs = 0;
  let runs = 0;
  let failing = 0;
  let worlds = 0;
  const tally = (): Tally => new Map<string, number>();
  const [kinds, outcomes, windows, rules, phases, situation] = [tally(), tally(), tally(), tally(), tally(), tally()] as const;
  const started = Date.now();
  for (const [index, { world, steps }] of cases.entries()) {
    if (Date.now() - started > TIME_LIMIT_MS) break;
    worlds += 1;
    const worldStarted = Date.now();
    const hunt = await huntPinRaces(world, steps, { invariants: [...options.invariants], lastShare: 0.7 });
    if (VERBOSE) console.log(`      world ${index}: ${String(world.schedule.spec['schedule'])}, ${hunt.runs.length} runs, ${Date.now() - worldStarted} ms: ${hunt.outcomes.join(', ')}`);
    runs += hunt.runs.length;
    syncs += hunt.runs.reduce((sum, run) => sum + run.syncs, 0);
    const lagMs = world.lag.childChangedMs[1];
    for (const [i, placed] of hunt.placed.entries()) {
      const outcome = hunt.outcomes[i] ?? 'no-op';
      count(kinds, `${placed.kind}${placed.pin ? '' : ' (unpin)'}`);
      count(outcomes, `${placed.pin ? 'pin' : 'unpin'} ${outcome}`);
      const offset = placed.writtenAt - placed.targetReadAt;
      if (!(placed.kind === 'unpin' && placed.pin)) count(windows, offset < -lagMs ? 'before the window' : offset <= 0 ? 'in the window (≤ a lag before the call)' : 'after the call');
      count(rules, ruleOf(placed.reason));
      if (placed.phase !== '') count(phases, placed.phase);
      if (options.situation !== undefined) situationCounts(options.situation, placed, { hunt, outcome, lagMs, tally: situation });
    }
    if (options.situation === 'groups') count(situation, `${(world.siblings ?? []).length} sibling(s), ${world.metacontroller.workers ?? 1} worker(s)`);
    const bad = hunt.runs.findIndex((run) => run.violations.length > 0);
    if (bad >= 0) {
      failing += 1;
      const file = join(FAILURE_DIR, `${options.name}-seed${SEED}-world${index}.json`);
      mkdirSync(FAILURE_DIR, { recursive: true });
      const run = hunt.runs[bad] as (typeof hunt.runs)[number];
      writeFileSync(file, `${JSON.stringify({ invariants: options.invariants, scenario: run.scenario }, null, 2)}\n`);
      console.log(`      world ${index}: run ${bad} of ${hunt.runs.length}, written to ${file}`);
      for (const line of describeViolations(run.violations).slice(0, 5)) console.log(`      ${line}`);
    }
  }
  console.log(`      ${worlds} of ${cases.length} worlds, ${runs} runs, ${syncs} syncs, ${Math.round((Date.now() - started) / 1000)} s`);
  console.log(`      placed: ${show(kinds)}`);
  console.log(`      offsets against the call placed at: ${show(windows)}`);
  console.log(`      outcomes: ${show(outcomes)}`);
  console.log(`      retirements placed against: ${show(rules)}; phases ${show(phases)}`);
  if (situation.size > 0) console.log(`      ${options.situation}: ${show(situation)}`);
  assert.equal(failing, 0, `${failing} worlds with violations`);
}

describe(`simulator soak: pin race (seed ${SEED}, ${RUNS * 3} worlds; ${RUNS} per situation)`, function () {
  this.timeout(0);

  it('pin race: pins and unpins from −2× to +1× the lag around the sync that retires a Backup: invariants 1–9 and 11', async () => {
    await soak(fc.sample(pinRaceCaseArb(), { seed: SEED, numRuns: RUNS * 3 }), { invariants: PIN_RACE_INVARIANTS.plain, name: 'pin-race' });
  });

  const situations: { situation: PinRaceSituation; title: string }[] = [
    { situation: 'groups', title: "pin race in schedule groups: every schedule's retirements, one or five workers: invariants 1–4, 6–11" },
    { situation: 'clock', title: 'pin race beside clock steps: a step of the hook’s clock within the lag bound around the retiring sync: invariants 1–9 and 11' },
    { situation: 'stuck', title: 'pin race in stuck caches: a window of 1 minute to 4 hours around the retiring sync: invariants 1, 3–9 and 11 (the stuck time as lag)' },
  ];
  for (const { situation, title } of situations) {
    it(title, async () => {
      await soak(fc.sample(pinRaceSituationArb(situation), { seed: SEED, numRuns: RUNS }), { invariants: PIN_RACE_INVARIANTS[situation], name: `pin-race-${situation}`, situation });
    });
  }
});
