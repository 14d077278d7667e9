/** Instants as the hook reads and writes them: epoch milliseconds inside, RFC 3339 (UTC, seconds) outside. */

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** parseTime parses an RFC 3339 timestamp into epoch milliseconds, or null if it is not one. */
export function parseTime(text: unknown): number | null {
  if (typeof text !== 'string') return null;
  const m = RFC3339.exec(text);
  if (m === null) return null;
  const [, year, month, day, hour, minute, second] = m;
  if (Number(month) < 1 || Number(month) > 12 || Number(day) < 1 || Number(day) > 31) return null;
  // A leap second (…:60) is not representable in JavaScript time: not a time the hook can use.
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) return null;
  // Date.parse rolls 31 Feb over to March; a calendar date that does not exist is not a time.
  const daysInMonth = lastDayOfMonth(Number(year), Number(month));
  if (Number(day) > daysInMonth) return null;
  const ms = Date.parse(text.replace('t', 'T').replace('z', 'Z'));
  return Number.isFinite(ms) ? ms : null;
}

/** lastDayOfMonth returns the number of days of a month (1–12) of a proleptic Gregorian year, years 0–99 included. */
function lastDayOfMonth(year: number, month: number): number {
  const day = new Date(0);
  day.setUTCFullYear(year, month, 0); // Date.UTC would read years 0–99 as 1900–1999, and 1900 is not a leap year
  return day.getUTCDate();
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
