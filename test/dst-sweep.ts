/**
 * The full DST sweep of issue 9: ten years of every tick, for each zone × schedule, against the
 * brute-force reference (`npm test` runs a sample around the transitions of 2024–2026).
 *
 * Run: npm run test:dst-sweep [-- --from 2020 --years 10]
 * Prints a Markdown table (zone, schedule, ticks, questions asked, mismatches) and exits 1 on any mismatch.
 */

import { parseArgs } from 'node:util';
import { matchesWallTime, mostRecentTick, nextTick, parseSchedule } from '../src/core/schedule.js';
import { BruteForceClock } from './support/brute-force-ticks.js';
import { checkConsecutiveTicks } from './support/tick-checks.js';
import type { Mismatch } from './support/tick-checks.js';

const ZONES = ['UTC', 'America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Asia/Kolkata', 'Pacific/Chatham'];
const SCHEDULES = ['30 1 * * *', '30 2 * * *', '0 * * * *', '*/10 * * * *', '0 0 * * 0', '0 3 1 * *'];

function main(): number {
  const { values } = parseArgs({ options: { from: { type: 'string', default: '2020' }, years: { type: 'string', default: '10' } } });
  const fromYear = Number(values.from);
  const years = Number(values.years);
  const from = Date.UTC(fromYear, 0, 1);
  const to = Date.UTC(fromYear + years, 0, 1);
  console.log(`DST sweep ${fromYear}–${fromYear + years - 1}: every tick against the brute-force reference\n`);
  console.log('| zone | schedule | ticks | questions | mismatches | seconds |');
  console.log('|---|---|---|---|---|---|');
  let total = 0;
  const examples: string[] = [];
  for (const zone of ZONES) {
    const clock = new BruteForceClock(zone, { from, to });
    for (const expression of SCHEDULES) {
      const started = performance.now();
      const parsed = parseSchedule(expression, { timeZone: zone });
      if (!parsed.ok) throw new Error(parsed.error);
      const schedule = parsed.schedule;
      const ticks = clock.ticks((wall) => matchesWallTime(schedule, wall), { after: from, atOrBefore: to });
      const result = checkConsecutiveTicks(ticks, {
        mostRecent: (after, atOrBefore) => mostRecentTick(schedule, { after, atOrBefore }),
        next: (after) => nextTick(schedule, { after, anchor: after }),
      });
      total += result.mismatches.length;
      examples.push(...result.mismatches.slice(0, 3).map((m: Mismatch) => `${zone} ${expression}: ${m.question} = ${show(m.got)}, want ${show(m.want)}`));
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      console.log(`| ${zone} | \`${expression}\` | ${ticks.length} | ${result.checks} | ${result.mismatches.length} | ${seconds} |`);
    }
  }
  console.log(`\n${total} mismatches`);
  for (const line of examples) console.log(`  ${line}`);
  return total === 0 ? 0 : 1;
}

function show(value: number | null | 'threw'): string {
  return typeof value === 'number' ? new Date(value).toISOString() : String(value);
}

process.exitCode = main();
