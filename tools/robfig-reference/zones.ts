/**
 * Zone-aware differential search: the hook's `spec.timeZone` against robfig v3's `CRON_TZ=<zone>` (Kubernetes
 * CronJob's `timeZone`), with Go's own zone data (/usr/share/zoneinfo) as the independent source.
 *
 *   ROBFIG_V1_SRC=/path/to/robfig-cron.git npx tsx tools/robfig-reference/zones.ts [--from 2020] [--years 11]
 *     [--zones America/New_York,...] [--random 100] [--seed 1] [--ticks 20]
 *   npx tsx tools/robfig-reference/zones.ts --reuse   # compare the tables of the last run again, without Go
 *
 * For each zone it starts robfig and the hook just before, at and inside every offset change of the years (ICU's
 * transitions: 2 h before, 1 s before, 30 min after) and at two instants of every year; the expressions are the
 * DST-sensitive ones below and `--random` expressions of fuzz-grammar.ts that robfig v1.2.0 accepts, that v3 reads
 * alike in UTC (so no star-bit difference) and on which the hook agrees with v1.2.0 in UTC. Each difference is
 * explained by test/support/robfig-zone-compare.ts; an unexplained one is printed and makes the exit status 1.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { GO_SPACE } from '../../src/core/_cron_parse.js';
import { isEntryPoint } from '../../src/entry-point.js';
import { BruteForceClock, offsetByIntl } from '../../test/support/brute-force-ticks.js';
import { answerOf, verdictOf, type RobfigTable } from '../../test/support/robfig-compare.js';
import { EXPLAINED, compareZoneEntry, goOffsetOf, type ZoneDifference } from '../../test/support/robfig-zone-compare.js';
import { askRobfig, committedStarts, fuzzExpressions, robfigTablePath } from './fuzz.js';

/** Zones with every kind of transition, and zones whose rules changed in recent tz releases. */
export const ZONES = [
  'UTC',
  'America/New_York',
  'Europe/London',
  'Europe/Berlin',
  'Australia/Lord_Howe', // 30-minute DST
  'Asia/Kolkata',
  'Pacific/Chatham', // +12:45/+13:45
  'America/Santiago', // southern hemisphere, changes at midnight
  'America/Havana', // changes at midnight and 01:00
  'Asia/Tehran', // no DST since 2022
  'Africa/Casablanca', // an hour back for Ramadan
  'Pacific/Apia', // no DST since 2021
  'America/St_Johns', // -03:30, changes at 02:00
  'Antarctica/Troll', // two-hour DST
  'Asia/Gaza', // changes around Ramadan, at 02:00/03:00 on Saturdays
  'Asia/Beirut', // changes at midnight
  'America/Asuncion', // permanent -03 from October 2024 (tz 2025a)
  'America/Coyhaique', // new in tz 2025b: permanent -03 from 2025
  'America/Mexico_City', // no DST since 2022
  'Africa/Cairo', // DST again since 2023
  'America/Nuuk', // -02 standard from 2023, DST again from 2024
  'Asia/Almaty', // +06 to +05 in 2024
  'Pacific/Fiji', // no DST since 2022
];

/** Hand-picked DST-sensitive expressions; `@every` checks that both ignore the zone. */
export const HAND_PICKED = [
  '30 2 * * *',
  '30 1 * * *',
  '0 * * * *',
  '*/10 * * * *',
  '*/15 1-3 * * *',
  '0 0 * * *',
  '0 0 1 * *',
  '0 3 * * 0',
  '59 23 * * *',
  '0 2 * * 1-5',
  '30 0 1,15 * *',
  '0 0 * * 6',
  '15 0-4 * * sun',
  '45 1 1-7 * 0',
  '0 1 * 3,4,10,11 *',
  '@daily',
  '@hourly',
  '@every 1h30m',
];

const HOUR_MS = 3_600_000;

/** startsOf picks the start instants of a zone: around each transition, and twice a year. */
export function startsOf(zone: string, years: { from: number; count: number }): string[] {
  const starts = new Set<number>();
  for (let year = years.from; year < years.from + years.count; year++) {
    const range = { from: Date.UTC(year, 0, 1), to: Date.UTC(year + 1, 0, 1) };
    starts.add(range.from);
    starts.add(Date.UTC(year, 6, 1, 12, 34, 56, 789));
    // ICU's transitions, a year's minute table at a time (BruteForceClock holds one offset per minute).
    for (const t of new BruteForceClock(zone, range).transitions(range.from - 1, range.to - 1)) {
      [t - 2 * HOUR_MS, t - 1000, t + HOUR_MS / 2].forEach((s) => starts.add(s));
    }
  }
  return [...starts].sort((a, b) => a - b).map((s) => new Date(s).toISOString());
}

/** starBitDiffers tells whether a day field holds `*\/n` or `?/n` with n > 1, which robfig v3 reads unlike v1.2.0 (README). */
function starBitDiffers(expression: string): boolean {
  const fields = expression.split(GO_SPACE).filter((t) => t !== '');
  const starStep = (item: string): boolean => {
    const step = /^[*?]\/\+?([0-9]+)$/.exec(item)?.[1];
    return step !== undefined && BigInt(step) > 1n;
  };
  return [fields[2], fields[4]].some((field) => (field ?? '').split(',').some(starStep));
}

/**
 * randomExpressions draws fuzz-grammar expressions and keeps `count` that robfig v1.2.0 and v3 and the hook read alike
 * in UTC, without a star-bit difference (which a few UTC ticks need not show).
 */
function randomExpressions(options: { seed: number; count: number; reuse: boolean }): string[] {
  if (options.count === 0) return [];
  const name = `zones-utc-${options.seed}`;
  const candidates = fuzzExpressions(options.seed, options.count * 5).map((expression) => ({ expression, about: `fuzz seed ${options.seed}` }));
  const path = options.reuse ? robfigTablePath(name) : askRobfig(name, { starts: committedStarts(), ticksPerStart: 5, expressions: candidates });
  const table = JSON.parse(readFileSync(path, 'utf8')) as RobfigTable;
  const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
  return table.entries
    .filter((e) => e.v1.ok && !e.expression.startsWith('@every') && !starBitDiffers(e.expression) && same(answerOf(e, 'v1').ticks, answerOf(e, 'v3').ticks) && verdictOf(e, table).kind === 'agrees')
    .map((e) => e.expression)
    .slice(0, options.count);
}

/** The tally of one zone. */
interface ZoneTally {
  expressions: number;
  ticks: number;
  agreements: number;
  kinds: Map<string, number>;
  /** Per kind, the expressions (in this zone) with a difference of that kind. */
  pairs: Map<string, Set<string>>;
  goIcuOffsetsDiffer: string;
}

function show(d: ZoneDifference): string {
  const at = (t: number): string => new Date(t).toISOString();
  return `${d.zone} ${JSON.stringify(d.expression)} from ${at(d.start)}: ${at(d.tick)} hook ${d.hook ? 'runs' : 'does not run'}, robfig v3 ${d.robfig ? 'runs' : 'does not run'}`;
}

/**
 * offsetsDiffer names the first instant where ICU's offset of the zone differs from Go's, or '': probed at every UTC
 * midnight of the years and six after, and just before and at each of Go's changes.
 */
function offsetsDiffer(table: RobfigTable, zone: string, years: { from: number; count: number }): string {
  const go = goOffsetOf(table, zone);
  const format = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
  const probes = (table.zoneOffsets?.[zone] ?? []).flatMap(([ms]) => [ms - 60_000, ms]);
  for (let t = Date.UTC(years.from, 0, 1); t < Date.UTC(years.from + years.count + 6, 0, 1); t += 24 * HOUR_MS) probes.push(t);
  const differs = probes.sort((a, b) => a - b).find((t) => offsetByIntl(format, t) !== go(t));
  return differs === undefined ? '' : `${new Date(differs).toISOString()} ICU ${offsetByIntl(format, differs) / 60_000} min, Go ${go(differs) / 60_000} min`;
}

/** compareAllOffsets compares Go's and ICU's offsets of every zone both know, and prints the zones that differ. */
function compareAllOffsets(years: { from: number; count: number }, reuse: boolean): void {
  const zones = Intl.supportedValuesOf('timeZone').filter((zone) => existsSync(`/usr/share/zoneinfo/${zone}`));
  const name = 'zones-all-offsets';
  const path = reuse ? robfigTablePath(name) : askRobfig(name, { starts: [], ticksPerStart: 0, expressions: [], zones, zoneYears: [years.from - 1, years.from + years.count + 6] });
  const table = JSON.parse(readFileSync(path, 'utf8')) as RobfigTable;
  const differing = zones.map((zone) => [zone, offsetsDiffer(table, zone, years)]).filter(([, d]) => d !== '');
  console.log(`${zones.length} zones: Go's and ICU's offsets differ in ${differing.length}`);
  for (const [zone, d] of differing) console.log(`  ${zone}: ${d}`);
}

function main(): void {
  const { values } = parseArgs({
    options: {
      from: { type: 'string', default: '2020' },
      years: { type: 'string', default: '11' },
      zones: { type: 'string', default: ZONES.join(',') },
      random: { type: 'string', default: '100' },
      seed: { type: 'string', default: '1' },
      ticks: { type: 'string', default: '20' },
      reuse: { type: 'boolean', default: false },
      'all-offsets': { type: 'boolean', default: false },
    },
  });
  const [from, count, random, seed, ticks] = [values.from, values.years, values.random, values.seed, values.ticks].map(Number) as [number, number, number, number, number];
  if (![from, count, random, seed, ticks].every(Number.isInteger)) throw new Error('--from, --years, --random, --seed and --ticks take whole numbers, e.g. --from 2020 --years 11');
  const years = { from, count };
  if (values['all-offsets']) return compareAllOffsets(years, values.reuse);
  const expressions = [...new Set([...HAND_PICKED, ...randomExpressions({ seed, count: random, reuse: values.reuse })])];
  const zones = values.zones.split(',').filter((z) => z !== '');
  const tallies = new Map<string, ZoneTally>();
  const examples = new Map<string, ZoneDifference[]>();
  for (const zone of zones) {
    const name = `zones-${zone.replaceAll('/', '_')}`;
    const path = values.reuse
      ? robfigTablePath(name)
      : askRobfig(name, {
          starts: startsOf(zone, years),
          ticksPerStart: ticks,
          expressions: expressions.map((e) => ({ expression: `CRON_TZ=${zone} ${e}`, about: e })),
          zones: [zone],
          zoneYears: [from - 1, from + count + 6],
        });
    const table = JSON.parse(readFileSync(path, 'utf8')) as RobfigTable;
    const tally: ZoneTally = { expressions: table.entries.length, ticks: 0, agreements: 0, kinds: new Map(), pairs: new Map(), goIcuOffsetsDiffer: offsetsDiffer(table, zone, years) };
    for (const entry of table.entries) {
      const result = compareZoneEntry(entry, table);
      tally.ticks += result.ticks;
      tally.agreements += result.agreements;
      for (const d of result.differences) {
        tally.kinds.set(d.kind, (tally.kinds.get(d.kind) ?? 0) + 1);
        tally.pairs.set(d.kind, (tally.pairs.get(d.kind) ?? new Set()).add(d.expression));
        const list = examples.get(d.kind) ?? [];
        if (list.length < (EXPLAINED.has(d.kind) ? 400 : 50)) list.push(d);
        examples.set(d.kind, list);
      }
    }
    tallies.set(zone, tally);
    console.error(`${zone}: ${tally.ticks} ticks, ${tally.agreements} agree, ${[...tally.kinds].map(([k, n]) => `${k} ${n}`).join(', ')}`);
  }
  report({ tallies, examples, expressions, years });
}

/** report prints the tally as Markdown and the examples; sets exit status 1 on an unexplained difference. */
function report(run: { tallies: Map<string, ZoneTally>; examples: Map<string, ZoneDifference[]>; expressions: string[]; years: { from: number; count: number } }): void {
  const kinds = [...new Set([...run.tallies.values()].flatMap((t) => [...t.kinds.keys()]))].sort();
  const goVersion = execFileSync(process.env.GO ?? 'go', ['version'], { encoding: 'utf8' }).trim();
  const tzdata = execFileSync('dpkg-query', ['-W', '-f=${Version}', 'tzdata'], { encoding: 'utf8' }).trim();
  console.log(`${run.expressions.length} expressions, years ${run.years.from}–${run.years.from + run.years.count - 1}; ${goVersion}, Debian tzdata ${tzdata}; Node ${process.version}, ICU tz ${process.versions.tz ?? '?'}\n`);
  console.log(`| zone | ticks | agree | ${kinds.join(' | ')} | Go and ICU offsets differ |`);
  console.log(`|---|---|---|${kinds.map(() => '---|').join('')}---|`);
  const total = { ticks: 0, agreements: 0 };
  for (const [zone, t] of run.tallies) {
    total.ticks += t.ticks;
    total.agreements += t.agreements;
    console.log(`| ${zone} | ${t.ticks} | ${t.agreements} | ${kinds.map((k) => t.kinds.get(k) ?? 0).join(' | ')} | ${t.goIcuOffsetsDiffer || 'no'} |`);
  }
  const sums = kinds.map((k) => [...run.tallies.values()].reduce((n, t) => n + (t.kinds.get(k) ?? 0), 0));
  console.log(`| all | ${total.ticks} | ${total.agreements} | ${sums.join(' | ')} | |`);
  const pairs = kinds.map((k) => [...run.tallies.values()].reduce((n, t) => n + (t.pairs.get(k)?.size ?? 0), 0));
  console.log(`| zone × expression pairs | | | ${pairs.join(' | ')} | |`);
  let unexplained = 0;
  for (const kind of kinds) {
    const list = run.examples.get(kind) ?? [];
    if (!EXPLAINED.has(kind as never)) unexplained += list.length;
    const byExpression = new Map<string, ZoneDifference>();
    for (const d of list) if (!byExpression.has(`${d.zone} ${d.expression}`)) byExpression.set(`${d.zone} ${d.expression}`, d);
    console.log(`\n${kind} (examples, one per zone and expression, at most 25):`);
    for (const d of [...byExpression.values()].slice(0, 25)) console.log(`  ${show(d)}`);
  }
  process.exitCode = unexplained > 0 ? 1 : 0;
}

if (isEntryPoint(import.meta.url)) main();
