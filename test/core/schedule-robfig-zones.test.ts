/**
 * Time zones against robfig v3's `CRON_TZ=` (what Kubernetes CronJob runs for `timeZone`), with Go's zone data.
 *
 * test/fixtures/robfig/zone-ticks.json was written by tools/robfig-reference (Go, run once; input
 * tools/robfig-reference/zone-expressions.json): robfig v3's ticks of DST-sensitive expressions in America/New_York,
 * Europe/Berlin and Australia/Lord_Howe from instants around each transition of 2024–2026 (settled rules, so Node's
 * ICU agrees with Go's tzdata there), and Go's offsets of the zones. Each difference must be one the DST policy
 * explains (test/support/robfig-zone-compare.ts): robfig skips a spring-forward gap's tick, runs again in a repeated
 * fall-back interval, or (Lord Howe's 30-minute shift) runs off its wall time or misses one; the hook never departs
 * from the policy, and the zones' offsets agree.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { RobfigTable } from '../support/robfig-compare.js';
import { compareZoneEntry, zoneOfEntry, type ZoneDifference, type ZoneDifferenceKind } from '../support/robfig-zone-compare.js';

const table = JSON.parse(readFileSync(new URL('../fixtures/robfig/zone-ticks.json', import.meta.url), 'utf8')) as RobfigTable;

/** What the policy makes of robfig's DST handling, as the table shows it. */
const POLICY: ReadonlySet<ZoneDifferenceKind> = new Set(['springGap', 'repeatedInterval', 'robfigOffSchedule', 'robfigMisses']);

const at = (t: number): string => new Date(t).toISOString();
const show = (d: ZoneDifference): string => `${d.kind} at ${at(d.tick)} from ${at(d.start)}`;

describe('schedule: time zones against robfig v3 CRON_TZ= (Go zone data)', () => {
  const found = new Map<string, ZoneDifference[]>();
  for (const entry of table.entries) {
    const { zone, expression } = zoneOfEntry(entry);
    it(`${zone} ${JSON.stringify(expression)}: same ticks as robfig v3 but where the DST policy says otherwise`, () => {
      const result = compareZoneEntry(entry, table);
      const unexplained = result.differences.filter((d) => !POLICY.has(d.kind));
      assert.deepEqual(unexplained.map(show), []);
      assert.ok(result.agreements > 0.9 * result.ticks, `only ${result.agreements} of ${result.ticks} ticks agree`);
      found.set(entry.expression, result.differences);
    });
  }

  it('shows each kind of DST difference, where the policy predicts it', () => {
    const kinds = (zone: string, expression: string): string[] => [...new Set((found.get(`CRON_TZ=${zone} ${expression}`) ?? []).map((d) => d.kind))].sort();
    // 02:30 does not exist on a spring-forward day: the hook runs at 03:00, robfig skips the day.
    assert.deepEqual(kinds('America/New_York', '30 2 * * *'), ['springGap']);
    assert.deepEqual(kinds('Europe/Berlin', '30 2 * * *'), ['repeatedInterval', 'springGap']); // 02:30 also repeats in Berlin
    // 01:30 (New York) and 02:30 (Berlin) repeat on a fall-back day: robfig runs twice, the hook once.
    assert.deepEqual(kinds('America/New_York', '30 1 * * *'), ['repeatedInterval']);
    assert.deepEqual(kinds('Europe/Berlin', '0 * * * *'), ['repeatedInterval']);
    // Lord Howe's 30-minute shifts: robfig's whole-hour steps run off the wall time and miss a midnight.
    assert.deepEqual(kinds('Australia/Lord_Howe', '30 1 * * *'), ['repeatedInterval', 'robfigOffSchedule']);
    assert.ok(kinds('Australia/Lord_Howe', '0 0 * * *').includes('robfigMisses'));
    // Both ignore the zone for @every; a midnight schedule in New York has no DST difference at all.
    assert.deepEqual(kinds('America/New_York', '@every 1h30m'), []);
    assert.deepEqual(kinds('America/New_York', '0 0 * * *'), []);
  });
});
