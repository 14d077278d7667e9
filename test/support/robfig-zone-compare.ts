/**
 * Comparing the hook's ticks in a time zone (`spec.timeZone`) with robfig v3's for `CRON_TZ=<zone> <expression>`
 * (what Kubernetes CronJob runs for its `timeZone`), and explaining each difference. Shared by the zone-aware search
 * (tools/robfig-reference/zones.ts) and the committed zone table test (test/core/schedule-robfig-zones.test.ts).
 *
 * Every instant where one runs and the other does not is judged against the DST policy applied literally by the
 * brute-force reference (test/support/brute-force-ticks.ts), twice: with Node's ICU zone data (the hook's) and with
 * Go's (robfig's, from the table's `zoneOffsets`):
 * - the hook differs from the policy on ICU data: `hookBug`;
 * - the policy gives different answers on the two zone data: `tzData` (a tz database version difference);
 * - else robfig departs from the policy: `springGap` when the instant ends a spring-forward gap and only skipped wall
 *   times match (robfig never runs the gap's tick), `repeatedInterval` when robfig runs at an instant whose wall time
 *   the clock already showed (a second run in a fall-back repeat), `robfigOffSchedule` when robfig runs at a wall time
 *   the expression does not match, `robfigMisses` when robfig does not run at a matching wall time shown for the first
 *   time (both robfig defects after 30-minute shifts: its Next steps whole real hours), and `robfigOther` for anything
 *   else. A robfig answer not after the instant given to `Next()` (Chatham's fall-back) is `robfigBackwards`.
 * A start whose robfig ticks stop short (its five-year search) while the hook has a later tick beyond the years robfig
 * searched is `fiveYearSearch`.
 */
import { isAnchored, matchesWallTime, mostRecentTick, nextTick, parseSchedule, type Schedule } from '../../src/core/schedule.js';
import { BruteForceClock, wallTimeOfNaive } from './brute-force-ticks.js';
import { hookTicks, type RobfigEntry, type RobfigTable } from './robfig-compare.js';

/** The kinds of difference between the hook and robfig v3 in a zone. */
export type ZoneDifferenceKind =
  | 'springGap'
  | 'repeatedInterval'
  | 'tzData'
  | 'fiveYearSearch'
  | 'robfigOffSchedule'
  | 'robfigMisses'
  | 'robfigBackwards'
  | 'robfigOther'
  | 'hookBug'
  | 'mostRecent'
  | 'acceptance';

/** Kinds the DST policy or known robfig limits explain; the others are disagreements. */
export const EXPLAINED: ReadonlySet<ZoneDifferenceKind> = new Set(['springGap', 'repeatedInterval', 'tzData', 'fiveYearSearch', 'robfigOffSchedule', 'robfigMisses', 'robfigBackwards']);

/** One instant (or, for `fiveYearSearch`/`acceptance`, one start) where the hook and robfig differ. */
export interface ZoneDifference {
  kind: ZoneDifferenceKind;
  zone: string;
  expression: string;
  start: number;
  /** The instant; for `fiveYearSearch` the hook's tick beyond robfig's search. */
  tick: number;
  hook: boolean;
  robfig: boolean;
}

/** The outcome of comparing one entry. */
export interface ZoneComparison {
  /** robfig ticks compared (all starts). */
  ticks: number;
  /** robfig ticks the hook also has. */
  agreements: number;
  differences: ZoneDifference[];
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** zoneOfEntry splits `CRON_TZ=<zone> <expression>` as robfig does (up to the first space). */
export function zoneOfEntry(entry: RobfigEntry): { zone: string; expression: string } {
  const space = entry.expression.indexOf(' ');
  if (!entry.expression.startsWith('CRON_TZ=') || space < 0) throw new Error(`${JSON.stringify(entry.expression)} does not start with "CRON_TZ=<zone> "`);
  return { zone: entry.expression.slice('CRON_TZ='.length, space), expression: entry.expression.slice(space + 1) };
}

/** goOffsetOf returns the zone's offset function (ms) from a table's `zoneOffsets`. */
export function goOffsetOf(table: RobfigTable, zone: string): (instant: number) => number {
  const list = table.zoneOffsets?.[zone];
  if (list === undefined || list.length === 0) throw new Error(`the table has no Go offsets of ${zone}: generate it with "zones": ["${zone}"]`);
  return (instant) => {
    let low = 0;
    let high = list.length - 1;
    while (low < high) {
      const mid = Math.ceil((low + high) / 2);
      if ((list[mid] as [number, number])[0] <= instant) low = mid;
      else high = mid - 1;
    }
    return (list[low] as [number, number])[1] * 1000;
  };
}

/** The two brute-force references around one instant. */
interface References {
  icu: BruteForceClock;
  go: BruteForceClock;
}

/** A judge of instants for one entry: both references, memoised per day. */
class Judge {
  readonly #clocks = new Map<number, References>();
  constructor(
    readonly zone: string,
    readonly schedule: Schedule,
    readonly goOffset: (instant: number) => number,
  ) {}

  #references(instant: number): References {
    const day = Math.floor(instant / DAY_MS);
    let found = this.#clocks.get(day);
    if (found === undefined) {
      const range = { from: (day - 1) * DAY_MS, to: (day + 2) * DAY_MS };
      found = { icu: new BruteForceClock(this.zone, range), go: new BruteForceClock(this.zone, { ...range, offsetAt: this.goOffset }) };
      this.#clocks.set(day, found);
    }
    return found;
  }

  /** Whether the wall time `instant` shows (Go's data) was shown by an earlier instant of the last two days. */
  #shownEarlier(instant: number): boolean {
    const wall = instant + this.goOffset(instant);
    const offsets = new Set([this.goOffset(instant - 2 * DAY_MS), this.goOffset(instant - DAY_MS), this.goOffset(instant - MINUTE_MS)]);
    return [...offsets].some((offset) => wall - offset < instant && this.goOffset(wall - offset) === offset);
  }

  /** kindOf explains an instant where exactly one of the hook and robfig runs. */
  kindOf(instant: number, runs: { hook: boolean; robfig: boolean }): ZoneDifferenceKind {
    const { icu, go } = this.#references(instant);
    const matches = (wall: Parameters<typeof matchesWallTime>[1]): boolean => matchesWallTime(this.schedule, wall);
    const byIcu = icu.isTick(matches, instant);
    const byGo = go.isTick(matches, instant);
    if (runs.hook !== byIcu) return 'hookBug';
    if (byIcu !== byGo) return 'tzData';
    const gapEnds = this.goOffset(instant - MINUTE_MS) < this.goOffset(instant);
    const wallMatches = matches(wallTimeOfNaive(instant + this.goOffset(instant)));
    if (runs.robfig) {
      // robfig runs where the policy does not
      if (!wallMatches) return 'robfigOffSchedule';
      return this.#shownEarlier(instant) ? 'repeatedInterval' : 'robfigOther';
    }
    // the policy runs, robfig does not
    if (wallMatches) return 'robfigMisses';
    return gapEnds ? 'springGap' : 'robfigOther';
  }

  /** The zone's local year of an instant (Go's data). */
  localYear(instant: number): number {
    return new Date(instant + this.goOffset(instant)).getUTCFullYear();
  }
}

/** compareZoneEntry compares robfig v3's ticks of a `CRON_TZ=<zone> <expression>` entry with the hook's for the zone. */
export function compareZoneEntry(entry: RobfigEntry, table: RobfigTable): ZoneComparison {
  const { zone, expression } = zoneOfEntry(entry);
  const result: ZoneComparison = { ticks: 0, agreements: 0, differences: [] };
  const parsed = parseSchedule(expression, { timeZone: zone });
  const first = Date.parse(table.starts[0] ?? '');
  if (!parsed.ok || !entry.v3.ok) {
    if (parsed.ok !== entry.v3.ok) result.differences.push({ kind: 'acceptance', zone, expression, start: first, tick: first, hook: parsed.ok, robfig: entry.v3.ok });
    return result;
  }
  const schedule = parsed.schedule;
  const judge = new Judge(zone, schedule, goOffsetOf(table, zone));
  table.starts.forEach((startText, i) => {
    const start = Date.parse(startText);
    const given = entry.v3.ticks?.[i] ?? [];
    // Next(t) should be after t; robfig's answers not after the start and every earlier answer are one kind of difference, and left out of the rest.
    const answered = given.filter((tick, k) => tick > Math.max(start, ...given.slice(0, k)));
    const cap = 100 * table.ticksPerStart;
    const hook = isAnchored(schedule)
      ? (hookTicks(schedule, start, answered.length + 1).filter((t) => t !== null) as number[])
      : ticksUpTo(schedule, { start, end: answered.at(-1) ?? start, cap });
    // Where the hook has many more ticks than robfig (robfig skipped days), compare up to the hook's last one.
    const capped = hook.length === cap && (hook.at(-1) as number) <= (answered.at(-1) ?? start);
    const end = capped ? (hook.at(-1) as number) : (answered.at(-1) ?? start);
    const robfig = answered.filter((t) => t <= end);
    const inWindow = hook.filter((t) => t <= end);
    const beyond = capped ? undefined : hook.find((t) => t > end);
    const hookSet = new Set(inWindow);
    const robfigSet = new Set(robfig);
    result.ticks += robfig.length + given.length - answered.length;
    for (const tick of given.filter((t) => !answered.includes(t))) result.differences.push({ kind: 'robfigBackwards', zone, expression, start, tick, hook: false, robfig: true });
    result.agreements += robfig.filter((t) => hookSet.has(t)).length;
    const add = (kind: ZoneDifferenceKind, tick: number): void => {
      result.differences.push({ kind, zone, expression, start, tick, hook: hookSet.has(tick) || tick === beyond, robfig: robfigSet.has(tick) });
    };
    for (const tick of [...new Set([...inWindow, ...robfig])].sort((a, b) => a - b)) {
      const runs = { hook: hookSet.has(tick), robfig: robfigSet.has(tick) };
      if (runs.hook === runs.robfig) continue;
      add(isAnchored(schedule) ? 'robfigOther' : judge.kindOf(tick, runs), tick);
    }
    if (given.length < table.ticksPerStart && beyond !== undefined) {
      // robfig's Next(t) searches to the end of the local year of t's next second, plus five.
      const lastYear = judge.localYear(Math.floor(end / 1000) * 1000 + 1000) + 5;
      add(judge.localYear(beyond) > lastYear ? 'fiveYearSearch' : judge.kindOf(beyond, { hook: true, robfig: false }), beyond);
    }
    // mostRecentTick, asked up to each shared tick, answers that tick.
    for (const tick of robfig) {
      if (hookSet.has(tick) && mostRecentTick(schedule, { after: start, atOrBefore: tick }) !== tick) add('mostRecent', tick);
    }
  });
  return result;
}

/** The hook's ticks after `start` up to and including `end`, and the first one after `end` (at most `cap` in all). */
function ticksUpTo(schedule: Schedule, options: { start: number; end: number; cap: number }): number[] {
  const ticks: number[] = [];
  let after = options.start;
  while (ticks.length < options.cap) {
    const tick = nextTick(schedule, { after, anchor: options.start });
    if (tick === null) break;
    ticks.push(tick);
    if (tick > options.end) break;
    after = tick;
  }
  return ticks;
}
