/** Instants as the hook reads and writes them: epoch milliseconds inside, RFC 3339 (UTC, seconds) outside. */

/** RFC 3339 with seconds: the fields sit at fixed offsets, so they are read in place below (no captures). */
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

/**
 * parseTime parses an RFC 3339 timestamp into epoch milliseconds, or null if it is not one. Fractions are
 * truncated to milliseconds, as Date.parse does. The fields are read in place and the instant computed from
 * them: it runs for every child of every sync, and allocates nothing.
 */
export function parseTime(text: unknown): number | null {
  if (typeof text !== 'string' || !RFC3339.test(text)) return null;
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  const hour = digitsAt(text, 11, 2);
  const minute = digitsAt(text, 14, 2);
  const second = digitsAt(text, 17, 2);
  // A calendar date that does not exist (31 Feb) is not a time, nor is a leap second (…:60): JavaScript has none.
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  const utc = year < 100 ? smallYearUtc(year, month, day) + ((hour * 60 + minute) * 60 + second) * 1000 : Date.UTC(year, month - 1, day, hour, minute, second);
  const zone = text.endsWith('Z') || text.endsWith('z') ? text.length - 1 : text.length - 6;
  const fractionDigits = Math.min(3, zone - 20); // "…:05.123Z": digits from offset 20 up to the zone
  const millis = fractionDigits > 0 ? digitsAt(text, 20, fractionDigits) * 10 ** (3 - fractionDigits) : 0;
  if (zone === text.length - 1) return utc + millis;
  const offsetHours = digitsAt(text, zone + 1, 2);
  const offsetMinutes = digitsAt(text, zone + 4, 2);
  if (offsetHours > 23 || offsetMinutes > 59) return null;
  const offsetMs = (offsetHours * 60 + offsetMinutes) * 60_000;
  return text[zone] === '-' ? utc + millis + offsetMs : utc + millis - offsetMs;
}

/** digitsAt reads `count` decimal digits of `text` from `start` (the caller has checked they are digits). */
function digitsAt(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) value = value * 10 + (text.charCodeAt(i) - 48);
  return value;
}

/** Date.UTC reads years 0–99 as 1900–1999, so those dates are set on a Date instead. */
function smallYearUtc(year: number, month: number, day: number): number {
  return new Date(0).setUTCFullYear(year, month - 1, day);
}

/** daysInMonth returns the number of days of a month (1–12) in the proleptic Gregorian calendar. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** The last instant RFC 3339 writes with a four-digit year (9999-12-31T23:59:59Z); later ones cannot go into status. */
export const LAST_WRITABLE_MS = Date.UTC(9999, 11, 31, 23, 59, 59);

/** formatTime writes epoch milliseconds as RFC 3339 in UTC with whole seconds, as Kubernetes does. */
export function formatTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** formatSlotStamp writes an instant in upstream's name layout `2006-01-02t15-04-05` (UTC). */
export function formatSlotStamp(ms: number): string {
  const iso = formatTime(ms); // 2006-01-02T15:04:05Z
  return `${iso.slice(0, 10)}t${iso.slice(11, 13)}-${iso.slice(14, 16)}-${iso.slice(17, 19)}`;
}

const SLOT_STAMP = /^(\d{4}-\d{2}-\d{2})t(\d{2})-(\d{2})-(\d{2})$/;

/** parseSlotStamp reads the layout `2006-01-02t15-04-05` (UTC) back into epoch milliseconds, or null. */
export function parseSlotStamp(stamp: string): number | null {
  const m = SLOT_STAMP.exec(stamp);
  if (m === null) return null;
  return parseTime(`${m[1]}T${m[2]}:${m[3]}:${m[4]}Z`);
}

/** earliest is the earliest of some instants (epoch ms), null ones left out; null when there is none. */
export function earliest(instants: ReadonlyArray<number | null>): number | null {
  let min: number | null = null;
  for (const t of instants) if (t !== null && (min === null || t < min)) min = t;
  return min;
}
