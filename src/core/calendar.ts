/** Calendar fields of an instant in an IANA time zone, as retention buckets read them (restic's keys). */

/** The local calendar of an instant: the fields restic's buckets are keyed by. */
export interface CalendarFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  /** ISO 8601 week-numbering year and week (Monday first; week 1 holds the year's first Thursday). */
  isoYear: number;
  isoWeek: number;
}

const DAY_MS = 86_400_000;
/**
 * From this instant on (2 January of year 1, UTC) every zone's local year is 1 or later, so its formatter needs no
 * era; before it, Intl writes year 0 as "1 BC", and the era is read so that year 0 stays 0, as in UTC. The era costs
 * about a sixth of a call, which GFS retention makes for every Backup.
 */
const ERA_FREE_FROM = new Date(0).setUTCFullYear(1, 0, 2);
/**
 * Formats by zone name (and era), cleared when full: bounded, since Intl also accepts any casing of a name. Not a
 * BoundedMemo: its re-insertion on every hit cost 0.3 µs of a 2.5 µs call, which GFS retention makes per Backup.
 */
const formats = new Map<string, Intl.DateTimeFormat>();
const MAX_FORMATS = 500;

/** calendarFields reads an instant's local date and hour in a zone the schedule module accepted (else UTC). */
export function calendarFields(instant: number, timeZone: string): CalendarFields {
  if (timeZone === 'UTC') {
    const d = new Date(instant);
    const [year, month, day] = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
    return { year, month, day, hour: d.getUTCHours(), ...isoWeekOf(year, month, day) };
  }
  const parts: Record<string, number> = {};
  let beforeChrist = false;
  for (const { type, value } of formatOf(timeZone, { era: instant < ERA_FREE_FROM }).formatToParts(instant)) {
    if (type === 'era') beforeChrist = value === 'BC';
    else parts[type] = Number(value);
  }
  const { year: eraYear = 1970, month = 1, day = 1, hour = 0 } = parts;
  const year = beforeChrist ? 1 - eraYear : eraYear;
  return { year, month, day, hour: hour % 24, ...isoWeekOf(year, month, day) };
}

/** formatOf returns the formatter of a zone (with the era when asked), or of UTC for a zone Intl does not know. */
function formatOf(timeZone: string, options: { era: boolean }): Intl.DateTimeFormat {
  const key = options.era ? `${timeZone} era` : timeZone;
  let format = formats.get(key);
  if (format === undefined) {
    const fields: Intl.DateTimeFormatOptions = { hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric' };
    if (options.era) fields.era = 'short';
    try {
      format = new Intl.DateTimeFormat('en-US', { ...fields, timeZone });
    } catch {
      format = new Intl.DateTimeFormat('en-US', { ...fields, timeZone: 'UTC' });
    }
    if (formats.size >= MAX_FORMATS) formats.clear();
    formats.set(key, format);
  }
  return format;
}

/** isoWeekOf returns the ISO week-numbering year and week of a calendar date (as Go's time.ISOWeek). */
export function isoWeekOf(year: number, month: number, day: number): { isoYear: number; isoWeek: number } {
  const date = utcDay(year, month, day);
  const weekday = (new Date(date).getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  const thursday = date + (3 - weekday) * DAY_MS; // the week's Thursday decides its year
  const isoYear = new Date(thursday).getUTCFullYear();
  const isoWeek = Math.floor((thursday - utcDay(isoYear, 1, 1)) / (7 * DAY_MS)) + 1;
  return { isoYear, isoWeek };
}

/** utcDay returns the first instant of a UTC calendar date; unlike Date.UTC it reads years 0–99 as themselves, not 1900–1999. */
function utcDay(year: number, month: number, day: number): number {
  return year >= 100 ? Date.UTC(year, month - 1, day) : new Date(0).setUTCFullYear(year, month - 1, day);
}
