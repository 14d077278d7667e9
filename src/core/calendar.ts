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
/** Formats by zone name; bounded, since Intl also accepts any casing of a name. */
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
  for (const { type, value } of formatOf(timeZone).formatToParts(instant)) parts[type] = Number(value);
  const { year = 1970, month = 1, day = 1, hour = 0 } = parts;
  return { year, month, day, hour: hour % 24, ...isoWeekOf(year, month, day) };
}

function formatOf(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (format === undefined) {
    const options: Intl.DateTimeFormatOptions = { hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric' };
    try {
      format = new Intl.DateTimeFormat('en-US', { ...options, timeZone });
    } catch {
      format = new Intl.DateTimeFormat('en-US', { ...options, timeZone: 'UTC' });
    }
    if (formats.size >= MAX_FORMATS) formats.clear();
    formats.set(timeZone, format);
  }
  return format;
}

/** isoWeekOf returns the ISO week-numbering year and week of a calendar date (as Go's time.ISOWeek). */
export function isoWeekOf(year: number, month: number, day: number): { isoYear: number; isoWeek: number } {
  const date = Date.UTC(year, month - 1, day);
  const weekday = (new Date(date).getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  const thursday = date + (3 - weekday) * DAY_MS; // the week's Thursday decides its year
  const isoYear = new Date(thursday).getUTCFullYear();
  const isoWeek = Math.floor((thursday - Date.UTC(isoYear, 0, 1)) / (7 * DAY_MS)) + 1;
  return { isoYear, isoWeek };
}
