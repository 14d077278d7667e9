/** TiDB timestamps (TSO): the physical part is milliseconds since the epoch, shifted left by 18 bits. */

const DECIMAL = /^[0-9]{1,20}$/;
const MAX_UINT64 = (1n << 64n) - 1n;

/** parseTso reads a decimal TSO string (an unsigned 64-bit integer), or null if it is not one. */
export function parseTso(tso: string): bigint | null {
  if (!DECIMAL.test(tso)) return null;
  const value = BigInt(tso);
  return value > MAX_UINT64 ? null : value;
}

/** tsoToMillis returns the physical milliseconds of a decimal TSO string, or null if it is not one. */
export function tsoToMillis(tso: string): number | null {
  const value = parseTso(tso);
  return value === null ? null : physicalMillis(value);
}

/** physicalMillis returns the physical milliseconds of a parsed TSO. */
export function physicalMillis(tso: bigint): number {
  return Number(tso >> 18n);
}

const DATETIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/** parseTsString reads a TSO or a UTC time `2006-01-02 15:04:05` (upstream's ParseTSString) into ms, or null. */
export function parseTsString(text: string): number | null {
  const m = DATETIME.exec(text);
  if (m === null) return tsoToMillis(text);
  const ms = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
  return Number.isFinite(ms) && new Date(ms).getUTCDate() === Number(m[3]) ? ms : null;
}

/** millisToTso returns the decimal TSO of an instant (logical part zero). */
export function millisToTso(ms: number): string {
  return (BigInt(Math.floor(ms)) << 18n).toString();
}

/** formatTsTime writes an instant as upstream's compact time `2006-01-02 15:04:05` (UTC). */
export function formatTsTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19).replace('T', ' ');
}
