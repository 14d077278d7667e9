/** TiDB timestamps (TSO): the physical part is milliseconds since the epoch, shifted left by 18 bits. */

const DECIMAL = /^[0-9]{1,20}$/;
const MAX_UINT64 = (1n << 64n) - 1n;

/** tsoToMillis returns the physical milliseconds of a decimal TSO string, or null if it is not one. */
export function tsoToMillis(tso: string): number | null {
  if (!DECIMAL.test(tso)) return null;
  const value = BigInt(tso);
  if (value > MAX_UINT64) return null;
  return Number(value >> 18n);
}
