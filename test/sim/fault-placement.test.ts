/** A fault drawn "just after a tick" lands just after the schedule's tick, hashed schedules included. */
import assert from 'node:assert/strict';

import type { Scenario } from '../../src/sim/scenario.js';
import { placeInRun } from './support/fault-placement.js';

const START = '2024-05-01T00:00:00Z';
const DAY = 86_400_000;

/** The parts of a scenario placeInRun reads: a ten-day run of db/nightly. */
function scenario(expression: string): Scenario {
  return { start: START, durationMs: 10 * DAY, schedule: { name: 'nightly', namespace: 'db', spec: { schedule: expression } } } as unknown as Scenario;
}

describe('sim: placeInRun', () => {
  const cases: { expression: string; tick: string }[] = [
    { expression: '30 2 * * *', tick: '2024-05-06T02:30:00Z' },
    // db/nightly draws 01:44 (the golden hashed-schedule-runs-at-its-drawn-time).
    { expression: 'H H(0-2) * * *', tick: '2024-05-06T01:44:00Z' },
  ];
  for (const { expression, tick } of cases) {
    it(`places a fault drawn after a tick of ${JSON.stringify(expression)} a second after it (${tick})`, () => {
      const offset = placeInRun(scenario(expression), { at: 0.5, onTick: true, offsetMs: 1000 });
      assert.equal(new Date(Date.parse(START) + offset).toISOString(), new Date(Date.parse(tick) + 1000).toISOString());
    });
  }
});
