/** Go `time.ParseDuration` for spec fields such as `maxReservedTime` ("72h", "1h30m", "1.5h"). */

/** Nanoseconds per unit, as Go defines them. */
const UNIT_NS: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  'µs': 1_000n,
  'μs': 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

/** Go's durations are int64 nanoseconds. */
const MAX_NS = (1n << 63n) - 1n;

const TERM = /([0-9]*)(?:\.([0-9]*))?([a-zµμ]+)/y;

/** The result of parsing a duration: milliseconds, or a message a user can act on. */
export type ParseDurationResult = { ok: true; ms: number } | { ok: false; error: string };

/** The result of parsing a duration exactly: Go's integer nanoseconds, or a message a user can act on. */
export type ParseDurationNsResult = { ok: true; ns: bigint } | { ok: false; error: string };

/**
 * parseGoDuration parses Go's duration syntax into milliseconds (negative allowed); it never throws.
 * It computes as Go's time.ParseDuration does: whole units in integer nanoseconds, so "2.05m" is exactly 123 s where
 * 2.05 * 60000 in floating point gives 122999.99…; a fraction as float64(digits) * (unit / 10^digits), truncated to whole
 * nanoseconds, so "0.50000000000000m" is 29.999999999 s and "1.99999999999999999999s" is 2 s, as in Go.
 */
export function parseGoDuration(text: string): ParseDurationResult {
  const parsed = parseGoDurationNs(text);
  if (!parsed.ok) return parsed;
  // Milliseconds with a fraction (BigInt division truncates toward zero, so the sign carries and "-0s" is 0, not -0):
  // exact below about 2^53 ns (104 days); use parseGoDurationNs to round a longer one.
  return { ok: true, ms: Number(parsed.ns / 1_000_000n) + Number(parsed.ns % 1_000_000n) / 1e6 };
}

/** parseGoDurationNs parses Go's duration syntax into Go's int64 nanoseconds, exactly as {@link parseGoDuration} reads it. */
export function parseGoDurationNs(text: string): ParseDurationNsResult {
  const bad = (why: string): ParseDurationNsResult => ({
    ok: false,
    error: `"${text}" is not a duration (${why}); write it as Go does, e.g. "90m", "72h" or "1h30m"`,
  });
  let rest = text;
  let negative = false;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    negative = rest.startsWith('-');
    rest = rest.slice(1);
  }
  if (rest === '0') return { ok: true, ns: 0n };
  if (rest === '') return bad('it is empty');
  let totalNs = 0n;
  TERM.lastIndex = 0;
  while (TERM.lastIndex < rest.length) {
    const start = TERM.lastIndex;
    const match = TERM.exec(rest);
    if (match === null || match.index !== start) return bad(`unexpected "${rest.slice(start)}"`);
    const [, whole = '', fraction = '', unit = ''] = match;
    if (whole === '' && fraction === '') return bad(`a number is missing before "${unit}"`);
    const perUnit = UNIT_NS[unit];
    if (perUnit === undefined) return bad(`unknown unit "${unit}"; use ns, us, ms, s, m or h`);
    totalNs += BigInt(whole === '' ? '0' : whole) * perUnit + fractionNs(fraction, perUnit);
    if (totalNs > MAX_NS + (negative ? 1n : 0n)) return bad('it is out of range');
  }
  return { ok: true, ns: negative ? -totalNs : totalNs };
}

/**
 * fractionNs is Go's value of the digits after the point: it keeps digits while they stay within 2^63 (leadingFraction),
 * then computes float64(digits) * (float64(unit) / scale) and truncates it to whole nanoseconds.
 */
function fractionNs(digits: string, perUnit: bigint): bigint {
  let value = 0n;
  let scale = 1;
  for (const digit of digits) {
    // Go also stops when the digit would take the value past 2^63 (…580 then 9): as float64 the two values are equal.
    if (value > MAX_NS / 10n) break;
    value = value * 10n + BigInt(digit);
    scale *= 10;
  }
  return value === 0n ? 0n : BigInt(Math.trunc(Number(value) * (Number(perUnit) / scale)));
}

/** What {@link readPositiveDuration} says about a field in its messages. */
export interface DurationField {
  /** The field's path, e.g. `spec.maxReservedTime`. */
  path: string;
  /** A valid value to show, e.g. `72h`. */
  example: string;
  /** What leaving the field out does, e.g. `keep Backups by age forever`. */
  whenUnset: string;
}

/** readPositiveDuration reads an optional positive Go duration field into ms (absent, null or "": null), or records a problem. */
export function readPositiveDuration(value: unknown, field: DurationField, problems: string[]): number | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') {
    problems.push(`${field.path} must be a Go duration string such as "${field.example}"`);
    return null;
  }
  const parsed = parseGoDuration(value);
  if (!parsed.ok) {
    problems.push(`${field.path}: ${parsed.error}`);
    return null;
  }
  if (parsed.ms <= 0) {
    problems.push(`${field.path} "${value}" must be positive, such as "${field.example}"; remove it to ${field.whenUnset}`);
    return null;
  }
  return parsed.ms;
}
