/** Instants as the hook reads and writes them: epoch milliseconds inside, RFC 3339 (UTC, seconds) outside. */

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

/**
 * parseTime parses an RFC 3339 timestamp into epoch milliseconds, or null if it is not one. Fractions are
 * truncated to milliseconds, as Date.parse does; the instant is computed from the fields (no Date.parse).
 */
export function parseTime(text: unknown): number | null {
  if (typeof text !== 'string') return null;
  const m = RFC3339.exec(text);
  if (m === null) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = Number(m[6]);
  // A calendar date that does not exist (31 Feb) is not a time, nor is a leap second (…:60): JavaScript has none.
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  const offsetHours = Number(m[9] ?? 0);
  const offsetMinutes = Number(m[10] ?? 0);
  if (offsetHours > 23 || offsetMinutes > 59) return null;
  const millis = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  // Date.UTC reads years 0–99 as 1900–1999, so those set the date on a Date instead.
  const utc =
    year < 100
      ? new Date(Date.UTC(2000, 0, 1, hour, minute, second, millis)).setUTCFullYear(year, month - 1, day)
      : Date.UTC(year, month - 1, day, hour, minute, second, millis);
  const offsetMs = (offsetHours * 60 + offsetMinutes) * 60_000;
  return m[8] === '-' ? utc + offsetMs : utc - offsetMs;
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
