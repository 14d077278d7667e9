/**
 * Evidence for the choice behind src/core/schedule.ts: cron-parser 5, croner 11 and the module's own
 * field search, judged against the brute-force reference (correctness) and timed (µs per call).
 *
 * Correctness: around every DST transition of 2024–2026 (±2 days) and in four ordinary weeks, for the
 * zones and schedules of issue 9, each library answers the questions of test/support/tick-checks.ts
 * about every pair of consecutive reference ticks. Speed: newest tick after a watermark, at or before
 * now, for issue 7's schedules and gaps of 1 hour, 30 days and 2 years (UTC and New York), with the
 * parsed schedule cached (cron-parser must parse per call: its expression object is a stateful iterator).
 *
 * cron-parser and croner are devDependencies for this comparison only; the product uses neither.
 *
 * Run: npm run bench:cron-libraries
 */

import { CronExpressionParser } from 'cron-parser';
import { Cron } from 'croner';
import { matchesWallTime, mostRecentTick, nextTick, parseSchedule } from '../src/core/schedule.js';
import type { Schedule } from '../src/core/schedule.js';
import { BruteForceClock } from '../test/support/brute-force-ticks.js';
import { checkConsecutiveTicks } from '../test/support/tick-checks.js';
import type { TickFinder } from '../test/support/tick-checks.js';

const DAY = 86_400_000;
const ZONES = ['UTC', 'America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Asia/Kolkata', 'Pacific/Chatham'];
const DST_SCHEDULES = ['30 1 * * *', '30 2 * * *', '0 * * * *', '*/10 * * * *', '0 0 * * 0', '0 3 1 * *'];
const SPEED_SCHEDULES = ['* * * * *', '*/10 * * * *', '0 2 * * *', '30 10,11,12 * * 1-5', '0 0 29 2 *'];
const GAPS: [string, number][] = [['1h', 3_600_000], ['30d', 30 * DAY], ['2y', 730 * DAY]];

/** The question every library answers: the newest tick in (after, atOrBefore] and the next one after `after`. */
interface Library {
  name: string;
  prepare(expression: string, timeZone: string): TickFinder;
}

function threw(f: () => unknown): boolean {
  try {
    f();
    return false;
  } catch {
    return true;
  }
}

const cronParser: Library = {
  name: 'cron-parser 5.10.6 (prev)',
  prepare(expression, tz) {
    return {
      mostRecent(after, atOrBefore) {
        // prev() is strictly before currentDate: ask from atOrBefore + 1 ms.
        const t = CronExpressionParser.parse(expression, { currentDate: new Date(atOrBefore + 1), tz }).prev().getTime();
        return t > after ? t : null;
      },
      next(after) {
        return CronExpressionParser.parse(expression, { currentDate: new Date(after), tz }).next().getTime();
      },
    };
  },
};

const croner: Library = {
  name: 'croner 11.0.1 (previousRuns)',
  prepare(expression, timezone) {
    const cron = new Cron(expression, { timezone, mode: '5-part', paused: true });
    return {
      mostRecent(after, atOrBefore) {
        const t = cron.previousRuns(1, new Date(atOrBefore + 1))[0]?.getTime();
        return t !== undefined && t > after ? t : null;
      },
      next(after) {
        return cron.nextRun(new Date(after))?.getTime() ?? null;
      },
    };
  },
};

const own: Library = {
  name: 'own field search (schedule.ts)',
  prepare(expression, timeZone) {
    const schedule = parsed(expression, timeZone);
    return {
      mostRecent: (after, atOrBefore) => mostRecentTick(schedule, { after, atOrBefore }),
      next: (after) => nextTick(schedule, { after, anchor: after }),
    };
  },
};

function parsed(expression: string, timeZone: string): Schedule {
  const result = parseSchedule(expression, { timeZone });
  if (!result.ok) throw new Error(result.error);
  return result.schedule;
}

/** Windows to check in a zone: ±2 days around each transition of 2024–2026, plus four ordinary weeks. */
function windows(clock: BruteForceClock): [number, number][] {
  const around = clock.transitions(Date.UTC(2024, 0, 1), Date.UTC(2027, 0, 1)).map((t): [number, number] => [t - 2 * DAY, t + 2 * DAY]);
  const ordinary = [Date.UTC(2024, 0, 10), Date.UTC(2024, 6, 10), Date.UTC(2025, 1, 26), Date.UTC(2026, 11, 28)];
  return [...around, ...ordinary.map((t): [number, number] => [t, t + 7 * DAY])];
}

interface Tally {
  checks: number;
  wrong: number;
  threw: number;
  /** Wrong or thrown answers per "zone schedule". */
  where: Map<string, number>;
}

function checkCorrectness(library: Library): Tally {
  const tally: Tally = { checks: 0, wrong: 0, threw: 0, where: new Map() };
  for (const zone of ZONES) {
    const clock = new BruteForceClock(zone, { from: Date.UTC(2023, 11, 20), to: Date.UTC(2027, 0, 10) });
    for (const expression of DST_SCHEDULES) {
      const schedule = parsed(expression, zone);
      const finder = library.prepare(expression, zone);
      for (const [from, to] of windows(clock)) {
        const ticks = clock.ticks((wall) => matchesWallTime(schedule, wall), { after: from, atOrBefore: to });
        const { checks, mismatches } = checkConsecutiveTicks(ticks, finder);
        const threw = mismatches.filter((m) => m.got === 'threw').length;
        tally.checks += checks;
        tally.threw += threw;
        tally.wrong += mismatches.length - threw;
        if (mismatches.length > 0) tally.where.set(`${zone} ${expression}`, (tally.where.get(`${zone} ${expression}`) ?? 0) + mismatches.length);
      }
    }
  }
  return tally;
}

/** Median µs per mostRecent call over the speed cases of one zone. */
function timeCalls(library: Library, zone: string, gap: number): { us: number; threw: number } {
  const now = Date.UTC(2026, 4, 17, 13, 37, 11);
  const samples: number[] = [];
  let failures = 0;
  for (const expression of SPEED_SCHEDULES) {
    const lib = library.prepare(expression, zone);
    const rounds = 5;
    const perRound = 40;
    for (let r = 0; r < rounds; r++) {
      const start = performance.now();
      for (let i = 0; i < perRound; i++) {
        const at = now + i * 7_777_777; // different instants, same gap
        if (threw(() => lib.mostRecent(at - gap, at))) failures += 1;
      }
      samples.push(((performance.now() - start) * 1000) / perRound);
    }
  }
  samples.sort((x, y) => x - y);
  return { us: samples[Math.floor(samples.length / 2)] as number, threw: failures };
}

function main(): void {
  const libraries = [cronParser, croner, own];
  const rows: string[] = [];
  const failures: string[] = [];
  rows.push('| library | checks | wrong | threw | ' + GAPS.map(([g]) => `µs UTC ${g} | µs NY ${g}`).join(' | ') + ' |');
  rows.push('|---|---|---|---|' + GAPS.map(() => '---|---').join('|') + '|');
  for (const library of libraries) {
    for (const zone of ['UTC', 'America/New_York']) timeCalls(library, zone, GAPS[0]![1]); // warm up
    const tally = checkCorrectness(library);
    failures.push(`${library.name}: ${[...tally.where].map(([k, n]) => `${k} (${n})`).join(', ') || 'none'}`);
    const speeds = GAPS.flatMap(([, gap]) => ['UTC', 'America/New_York'].map((zone) => timeCalls(library, zone, gap)));
    rows.push(
      `| ${library.name} | ${tally.checks} | ${tally.wrong} | ${tally.threw} | ` + speeds.map((s) => s.us.toFixed(1) + (s.threw > 0 ? ` (${s.threw} threw)` : '')).join(' | ') + ' |',
    );
  }
  console.log(rows.join('\n'));
  console.log('\nWrong or thrown answers by zone and schedule:\n' + failures.join('\n'));
}

main();
