/**
 * The schedule syntax of robfig/cron v3 `ParseStandard` (what Kubernetes CronJobs accept), parsed
 * into field sets (private to schedule.ts). It never throws.
 *
 * Deliberately stricter than robfig, because each of these is a typo rather than an intent:
 * - a `TZ=`/`CRON_TZ=` prefix (the zone is a separate spec field);
 * - a field with no values at all (`,`), which robfig reads as "never";
 * - `*` starting a range (`*-5`), which robfig reads as `*`;
 * - `@every` with a zero or negative duration, which robfig reads as `@every 1s`.
 *
 * Beyond robfig, hashed values (Jenkins' `H`) and the `-random` macros (K8up's, without its bugs), drawn from a seed:
 * the schedule's namespace/name. `H` is one value of the field's range (day-of-month 1-28, so every month has it),
 * `H(a-b)` one of a-b, `H/n` and `H(a-b)/n` every n-th value from an offset below n. Each `H` draws on its own, so the
 * fields are independent; the same seed always draws the same values, and every value of a range is equally likely.
 */

import { createHash } from 'node:crypto';

import { parseGoDurationNs } from './duration.js';
import { FieldSet } from './_cron_fields.js';
import type { CronFields } from './_cron_fields.js';

/** The result of parsing an expression: cron fields, a fixed period, or a message. */
export type ParsedExpression =
  | { ok: true; kind: 'cron'; fields: CronFields }
  | { ok: true; kind: 'every'; periodMs: number }
  | { ok: false; error: string };

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  /** The highest value a bare `H` draws (day-of-month: 28, which every month has). */
  hashMax: number;
  names: ReadonlyMap<string, number>;
  /** What the field accepts, for messages. */
  accepts: string;
}

const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const NO_NAMES: ReadonlyMap<string, number> = new Map();

const MINUTE: FieldSpec = { name: 'minute', min: 0, max: 59, hashMax: 59, names: NO_NAMES, accepts: '0-59, e.g. "0", "*/15", "0,30" or "0-29/5"' };
const HOUR: FieldSpec = { name: 'hour', min: 0, max: 23, hashMax: 23, names: NO_NAMES, accepts: '0-23, e.g. "2", "*/6" or "9-17"' };
const DAY_OF_MONTH: FieldSpec = { name: 'day-of-month', min: 1, max: 31, hashMax: 28, names: NO_NAMES, accepts: '1-31, e.g. "1", "1,15" or "*/2"' };
const MONTH: FieldSpec = {
  name: 'month',
  min: 1,
  max: 12,
  hashMax: 12,
  names: new Map(MONTH_NAMES.map((n, i) => [n, i + 1])),
  accepts: '1-12 or JAN-DEC, e.g. "1", "*/3" or "JAN,JUL"',
};
const DAY_OF_WEEK: FieldSpec = {
  name: 'day-of-week',
  min: 0,
  max: 6,
  hashMax: 6,
  names: new Map(DAY_NAMES.map((n, i) => [n, i])),
  accepts: '0-6 (0 = Sunday; 7 is not accepted) or SUN-SAT, e.g. "1-5" or "MON,THU"',
};
const FIELD_SPECS = [MINUTE, HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK] as const;

const FORMS = 'a cron of 5 fields "minute hour day-of-month month day-of-week" (e.g. "0 2 * * *"), a macro (@yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly) or "@every <duration>" (e.g. "@every 6h")';

/** Go's strings.Fields separators (unicode.IsSpace), which differ from JavaScript's \s. */
export const GO_SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;

/** quote shows user input in a message: JSON-quoted (whitespace visible), long input shortened. */
export function quote(text: string): string {
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 61)}...` : text);
}

interface Field {
  values: number[];
  /** robfig v1.2.0's star bit: some item was `*` or `?` (with or without a step). */
  star: boolean;
}
type FieldResult = ({ ok: true } & Field) | { ok: false; error: string };

/** Options of {@link parseExpression}. */
export interface ParseExpressionOptions {
  /** What hashed values (`H`, the `-random` macros) are drawn from: the schedule's namespace/name; without it they are refused. */
  seed?: string;
}

/** Draws a value below `n` for the `item`-th list item of the `field`-th field. */
type Draw = (position: { field: number; item: number }, n: number) => number;

/** parseExpression parses robfig's standard syntax, plus hashed values; it never throws. */
export function parseExpression(expression: string, options: ParseExpressionOptions = {}): ParsedExpression {
  if (expression === '') return { ok: false, error: `the schedule is empty; write ${FORMS}` };
  if (/^(CRON_)?TZ=/.test(expression)) {
    return {
      ok: false,
      error: `${quote(expression)} starts with a time zone; write the zone in the schedule's timeZone field and only the cron here`,
    };
  }
  const draw = options.seed === undefined ? null : drawFrom(options.seed);
  const random = RANDOM_MACROS.get(expression);
  if (random !== undefined) return parseFields(random, draw, expression);
  if (expression.startsWith('@')) return parseMacro(expression);
  return parseFields(expression, draw, expression);
}

function parseFields(expression: string, draw: Draw | null, written: string): ParsedExpression {
  const texts = expression.split(GO_SPACE).filter((t) => t !== '');
  if (texts.length !== FIELD_SPECS.length) {
    const extra = texts.length === 6 ? ' (a seconds or year field is not supported)' : '';
    return { ok: false, error: `${quote(expression)} has ${texts.length} fields${extra}; write ${FORMS}` };
  }
  const fields: Field[] = [];
  for (const [i, spec] of FIELD_SPECS.entries()) {
    const field = parseField(texts[i] as string, spec, draw === null ? null : (item, n) => draw({ field: i, item }, n));
    if (!field.ok) return { ok: false, error: `${quote(written)}: ${field.error}` };
    fields.push(field);
  }
  return { ok: true, kind: 'cron', fields: cronFields(fields) };
}

/** cronFields builds the field sets from minute, hour, day-of-month, month and day-of-week. */
function cronFields(fields: readonly Field[]): CronFields {
  const [minute, hour, dayOfMonth, month, dayOfWeek] = fields.map((f, i) => expand(f, FIELD_SPECS[i] as FieldSpec)) as [
    Field,
    Field,
    Field,
    Field,
    Field,
  ];
  return {
    minutes: new FieldSet(minute.values),
    hours: new FieldSet(hour.values),
    daysOfMonth: new FieldSet(dayOfMonth.values),
    months: new FieldSet(month.values),
    daysOfWeek: new FieldSet(dayOfWeek.values),
    dayRule: dayOfMonth.star || dayOfWeek.star ? 'both' : 'either',
  };
}

const ALL: Field = { values: [], star: true }; // stands for the whole range of a field
function only(value: number): Field {
  return { values: [value], star: false };
}
function expand(field: Field, spec: FieldSpec): Field {
  return field === ALL ? { values: range(spec.min, spec.max, 1), star: true } : field;
}

/** robfig's descriptors, as the fields they stand for (minute, hour, day-of-month, month, day-of-week). */
const MACROS: ReadonlyMap<string, readonly [Field, Field, Field, Field, Field]> = new Map([
  ['@yearly', [only(0), only(0), only(1), only(1), ALL]],
  ['@annually', [only(0), only(0), only(1), only(1), ALL]],
  ['@monthly', [only(0), only(0), only(1), ALL, ALL]],
  ['@weekly', [only(0), only(0), ALL, ALL, only(0)]],
  ['@daily', [only(0), only(0), ALL, ALL, ALL]],
  ['@midnight', [only(0), only(0), ALL, ALL, ALL]],
  ['@hourly', [only(0), ALL, ALL, ALL, ALL]],
]);

/** The `-random` macros: each stands for the macro with its fixed values hashed (K8up's, with Saturday and every field drawn apart). */
const RANDOM_MACROS: ReadonlyMap<string, string> = new Map([
  ['@yearly-random', 'H H H H *'],
  ['@annually-random', 'H H H H *'],
  ['@monthly-random', 'H H H * *'],
  ['@weekly-random', 'H H * * H'],
  ['@daily-random', 'H H * * *'],
  ['@midnight-random', 'H H * * *'],
  ['@hourly-random', 'H * * * *'],
]);

/**
 * drawFrom draws values from a seed: SHA-256 of the seed and the item's position, its first 48 bits modulo n (n is at
 * most 60, so no value is likelier than another by more than 2⁻⁴²).
 */
function drawFrom(seed: string): Draw {
  return (position, n) => {
    const digest = createHash('sha256').update(`${seed}\u0000${position.field}\u0000${position.item}`).digest();
    return digest.readUIntBE(0, 6) % n;
  };
}

function parseMacro(expression: string): ParsedExpression {
  const every = '@every ';
  if (expression.startsWith(every)) return parseEvery(expression, expression.slice(every.length));
  const macro = MACROS.get(expression);
  if (macro === undefined) {
    const drawn = [...RANDOM_MACROS.keys()].join(', ');
    return { ok: false, error: `${quote(expression)} is not a known macro (they are lower case, without spaces); write ${FORMS}; or a macro at a time drawn from the schedule's name (${drawn})` };
  }
  return { ok: true, kind: 'cron', fields: cronFields(macro) };
}

/** `@every <Go duration>`: robfig rounds down to whole seconds, with a minimum of one second. */
function parseEvery(expression: string, text: string): ParsedExpression {
  const duration = parseGoDurationNs(text);
  if (!duration.ok) return { ok: false, error: `${quote(expression)}: ${duration.error}` };
  if (duration.ns <= 0n) {
    // Go truncates each term to whole nanoseconds: "0.5ns" is 0, and robfig would run it every second.
    const belowNanosecond = duration.ns === 0n && /[1-9]/.test(text) ? ` (Go reads ${quote(text)} as 0: below a nanosecond)` : '';
    return { ok: false, error: `${quote(expression)}: the duration must be positive${belowNanosecond}, e.g. "@every 6h" or "@every 90m"` };
  }
  // Whole seconds in integer nanoseconds: in milliseconds, 60000019999.999999 (a long period) would round up to a second more.
  return { ok: true, kind: 'every', periodMs: Math.max(1000, Number(duration.ns / 1_000_000_000n) * 1000) };
}

function range(start: number, end: number, step: number): number[] {
  const values: number[] = [];
  for (let v = start; v <= end; v += step) values.push(v);
  return values;
}

function parseField(text: string, spec: FieldSpec, draw: ((item: number, n: number) => number) | null): FieldResult {
  const items = text.split(',').filter((item) => item !== ''); // robfig skips empty list items
  if (items.length === 0) return { ok: false, error: `${spec.name} field ${quote(text)} has no value; use ${spec.accepts}` };
  const field: Field = { values: [], star: false };
  for (const [i, item] of items.entries()) {
    const parsed = item.startsWith('H') ? parseHashed(item, spec, draw === null ? null : (n) => draw(i, n)) : item.startsWith('h') ? LOWER_CASE_H : parseItem(item, spec);
    if (!parsed.ok) return { ok: false, error: `${spec.name} field ${quote(item)}: ${parsed.error}; use ${spec.accepts}` };
    field.values.push(...parsed.values);
    field.star ||= parsed.star;
  }
  return { ok: true, ...field };
}

/** No value or name of a field starts with "h": an item that does is a hashed value written in lower case. */
const LOWER_CASE_H: FieldResult = { ok: false, error: 'write H in upper case (a hashed value: H, H(a-b), H/step or H(a-b)/step)' };

const HASHED = /^H(?:\(([^()]*)\))?(?:\/(.*))?$/;

/** A hashed item: `H`, `H(a-b)`, each optionally followed by `/step` (every step-th value from an offset below step). */
function parseHashed(item: string, spec: FieldSpec, draw: ((n: number) => number) | null): FieldResult {
  const match = HASHED.exec(item);
  if (match === null) return { ok: false, error: 'write a hashed value as H, H(a-b), H/step or H(a-b)/step' };
  if (draw === null) return { ok: false, error: "H (hashed values) needs the schedule's namespace and name to draw from" };
  const [, span, stepText] = match;
  let [start, end] = [spec.min, spec.hashMax];
  if (span !== undefined) {
    const ends = span.split('-');
    if (ends.length !== 2) return { ok: false, error: `write the range of H as H(a-b), not H(${span})` };
    const first = readValue(ends[0] ?? '', spec);
    if (typeof first === 'string') return { ok: false, error: first };
    const last = readValue(ends[1] ?? '', spec);
    if (typeof last === 'string') return { ok: false, error: last };
    [start, end] = [first, last];
  }
  const problem = rangeProblem(start, end, spec);
  if (problem !== null) return { ok: false, error: problem };
  if (stepText === undefined) return { ok: true, values: [start + draw(end - start + 1)], star: false };
  const step = readStep(stepText);
  if (typeof step === 'string') return { ok: false, error: step };
  return { ok: true, values: range(start + draw(Math.min(step, end - start + 1)), end, step), star: false };
}

/** One list item: `*`, `?`, `a`, `a-b`, each optionally followed by `/step` (`a/step` means a-max/step). */
function parseItem(item: string, spec: FieldSpec): FieldResult {
  const [span = '', stepText, ...moreSteps] = item.split('/');
  if (moreSteps.length > 0) return { ok: false, error: 'more than one "/"' };
  const ends = span.split('-');
  let start: number;
  let end: number;
  let star = false;
  if (ends[0] === '*' || ends[0] === '?') {
    if (ends.length > 1) return { ok: false, error: `"${ends[0]}" cannot start a range` };
    [start, end, star] = [spec.min, spec.max, true];
  } else {
    if (ends.length > 2) return { ok: false, error: 'more than one "-"' };
    const first = readValue(ends[0] ?? '', spec);
    if (typeof first === 'string') return { ok: false, error: first };
    const last = ends.length === 2 ? readValue(ends[1] ?? '', spec) : first;
    if (typeof last === 'string') return { ok: false, error: last };
    [start, end] = [first, last];
  }
  let step = 1;
  if (stepText !== undefined) {
    const parsedStep = readStep(stepText);
    if (typeof parsedStep === 'string') return { ok: false, error: parsedStep };
    step = parsedStep;
    if (ends.length === 1) end = spec.max; // "5/15" means 5-max/15
    // TiDB Operator runs robfig v1.2.0, which keeps the star bit on "*/n": with "*/2" in one day field the
    // other day field alone decides (AND). robfig v3 and Kubernetes clear it (OR); the hook follows TiDB.
  }
  const problem = rangeProblem(start, end, spec);
  if (problem !== null) return { ok: false, error: problem };
  return { ok: true, values: range(start, end, step), star };
}

/** readStep reads the step after "/", or says what is wrong with it. */
function readStep(text: string): number | string {
  const step = readNumber(text);
  if (aboveGoInt(text)) return `the step after "/": ${step}`;
  if (typeof step === 'string' || step === 0) return `the step after "/" must be a whole number of at least 1, not ${quote(text)}`;
  return step;
}

/** rangeProblem says what is wrong with a range of a field's values, or null. */
function rangeProblem(start: number, end: number, spec: FieldSpec): string | null {
  if (start < spec.min) return `${start} is below ${spec.min}`;
  if (end > spec.max) return `${end} is above ${spec.max}`;
  if (start > end) return `the range ${start}-${end} runs backwards (ranges do not wrap around)`;
  return null;
}

/** A value: a name of the field (case-insensitive) or a number. Returns a message on failure. */
function readValue(text: string, spec: FieldSpec): number | string {
  // Go's strings.ToLower maps each rune alone: U+0130 "İ" becomes "i" (JavaScript writes "i" + U+0307).
  const named = spec.names.get(text.replace(/\u0130/g, 'i').toLowerCase());
  if (named !== undefined) return named;
  const number = readNumber(text);
  if (typeof number === 'number') return number;
  if (/[LW#]/i.test(text)) return 'L, W and # are not supported (robfig/cron syntax, as in Kubernetes CronJobs)';
  if (/^H/i.test(text)) return 'H (a hashed value) stands alone in a list item: H, H(a-b), H/step or H(a-b)/step';
  return number;
}

/** Go's largest int on 64-bit platforms. */
const GO_MAX_INT = 9223372036854775807n;

/** aboveGoInt tells whether a decimal is beyond Go's int, where strconv.Atoi (and so robfig) fails. */
function aboveGoInt(text: string): boolean {
  return /^[+-]?[0-9]+$/.test(text) && BigInt(text) > GO_MAX_INT;
}

/** A non-negative decimal as Go's strconv.Atoi reads it (optional sign). Returns a message on failure. */
function readNumber(text: string): number | string {
  if (text === '') return 'a value is missing';
  if (!/^[+-]?[0-9]+$/.test(text)) return `${quote(text)} is not a number`;
  if (aboveGoInt(text)) return `${quote(text)} is too large (above ${GO_MAX_INT}, Go's largest int)`;
  const number = Number(text);
  if (number < 0) return `${quote(text)} is negative`;
  return number === 0 ? 0 : number; // Number("-0") is -0
}
