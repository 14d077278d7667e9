/**
 * Saved simulator scenarios (test/fixtures/sim/*.json: `{invariants, scenario}`), replayed with their invariants.
 * A failing property writes its shrunk scenario in this shape; copy it here to keep it as a regression test.
 */

import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import { runChecked } from '../../src/sim/invariants/run.js';
import type { ScenarioFixture } from '../../src/sim/invariants/run.js';
import { describeViolations } from './support/property-run.js';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'sim');

describe('sim: saved scenarios replay without violations', function () {
  this.timeout(0);
  for (const file of readdirSync(DIR).filter((f) => f.endsWith('.json')).sort()) {
    it(file, async () => {
      const fixture = JSON.parse(readFileSync(join(DIR, file), 'utf8')) as ScenarioFixture;
      const { violations, world } = await runChecked(fixture);
      assert.deepEqual(describeViolations(violations), []);
      assert.ok(world.recorder.backups.size > 0, 'the scenario backed up');
    });
  }
});
