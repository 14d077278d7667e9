/** How the check of broken windows (invariant 5, `spec-fix.ts`) judged each window of a run: for tests and the soak's counts. */

import { checkedLagMs } from '../../../src/sim/invariants/run.js';
import type { Check } from '../../../src/sim/invariants/slots.js';
import { specFixCheck } from '../../../src/sim/invariants/spec-fix.js';
import type { SpecFixVerdict } from '../../../src/sim/invariants/spec-fix.js';
import type { Scenario } from '../../../src/sim/scenario.js';
import type { World, WorldObserver } from '../../../src/sim/world.js';

/** verdictsOf watches a run with that check alone (reporting nothing) and collects its verdicts, one per broken window. */
export function verdictsOf(scenario: Scenario): { observer: WorldObserver; verdicts: SpecFixVerdict[] } {
  const verdicts: SpecFixVerdict[] = [];
  let check: Check | null = null;
  const of = (world: World): Check =>
    (check ??= specFixCheck(
      { world, settings: scenario.hook, maxLagMs: checkedLagMs(scenario), maxLatencyMs: Math.max(scenario.transport.latencyMs[1], 1), report: () => undefined },
      { onVerdict: (verdict) => verdicts.push(verdict) },
    ));
  return { observer: { onStoreEvent: (event, world) => of(world).onStoreEvent?.(event), onFinish: (world) => of(world).onFinish?.() }, verdicts };
}

/** Counts of broken windows over runs: placed, judged (by what was expected), and why the others were not. */
export class VerdictTally {
  placed = 0;
  /** Ticks the judged windows held back, each judged (run once, or never). */
  held = 0;
  /** Windows of a schedule in a group with siblings at the fix, and judged catch-ups owed only after a sibling's Backup (their turn). */
  inGroup = 0;
  waitedForTurn = 0;
  readonly expected = new Map<string, number>();
  readonly skipped = new Map<string, number>();

  /** add counts one run's verdicts. */
  add(verdicts: readonly SpecFixVerdict[]): void {
    for (const verdict of verdicts) {
      this.placed += 1;
      if (verdict.inGroup) this.inGroup += 1;
      if (verdict.skipped === null) this.held += verdict.held;
      if (verdict.skipped === null && verdict.waitedForTurn) this.waitedForTurn += 1;
      const [map, key] = verdict.skipped === null ? [this.expected, verdict.expected] : [this.skipped, verdict.skipped];
      map.set(key, (map.get(key) ?? 0) + 1);
    }
  }

  /** toString renders the counts on one line. */
  toString(): string {
    const list = (map: Map<string, number>): string => [...map].map(([k, n]) => `${k} ${n}`).join(', ');
    const group = this.inGroup === 0 ? '' : ` (${this.inGroup} in a group; ${this.waitedForTurn} catch-ups waited for their turn)`;
    return `${this.placed} broken windows${group}; judged: ${list(this.expected) || 'none'} (${this.held} ticks held back); not judged: ${list(this.skipped) || 'none'}`;
  }
}
