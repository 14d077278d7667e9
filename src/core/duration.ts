/** Go `time.ParseDuration` for spec fields such as `maxReservedTime` ("72h", "1h30m", "1.5h"). */

const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3,
  'μs': 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const TERM = /([0-9]*(?:\.[0-9]*)?)([a-zµμ]+)/y;

/** The result of parsing a duration: milliseconds, or a message a user can act on. */
export type ParseDurationResult = { ok: true; ms: number } | { ok: false; error: string };

/** parseGoDuration parses Go's duration syntax into milliseconds (negative allowed); it never throws. */
export function parseGoDuration(text: string): ParseDurationResult {
  const bad = (why: string): ParseDurationResult => ({
    ok: false,
    error: `"${text}" is not a duration (${why}); write it as Go does, e.g. "90m", "72h" or "1h30m"`,
  });
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return { ok: true, ms: 0 };
  if (rest === '') return bad('it is empty');
  let total = 0;
  TERM.lastIndex = 0;
  while (TERM.lastIndex < rest.length) {
    const start = TERM.lastIndex;
    const match = TERM.exec(rest);
    if (match === null || match.index !== start) return bad(`unexpected "${rest.slice(start)}"`);
    const [, number = '', unit = ''] = match;
    if (number === '' || number === '.') return bad(`a number is missing before "${unit}"`);
    const perUnit = UNIT_MS[unit];
    if (perUnit === undefined) return bad(`unknown unit "${unit}"; use ns, us, ms, s, m or h`);
    total += Number(number) * perUnit;
  }
  if (!Number.isFinite(total) || total > 9.2e12) return bad('it is out of range');
  return { ok: true, ms: sign * total };
}
