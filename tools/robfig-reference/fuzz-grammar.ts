/**
 * A grammar of random cron expressions that favours robfig's rare shapes: steps on ranges and single values, reversed
 * and out-of-range bounds, names in any case and inside ranges, `?`, both day fields restricted, leading zeros and signs,
 * odd whitespace, empty items, `L`/`W`/`#`/`H`, descriptors and `@every` with odd durations, `TZ=` prefixes, wrong
 * field counts. Deterministic: the same draws give the same expressions.
 */
import type { SeededDraws } from '../../test/support/seeded-draws.js';

interface Bounds {
  min: number;
  max: number;
  names: readonly string[];
}
const MINUTE: Bounds = { min: 0, max: 59, names: [] };
const HOUR: Bounds = { min: 0, max: 23, names: [] };
const DAY_OF_MONTH: Bounds = { min: 1, max: 31, names: [] };
const MONTH: Bounds = { min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] };
const DAY_OF_WEEK: Bounds = { min: 0, max: 6, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] };
const FIELDS = [MINUTE, HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK] as const;

const STEPS = ['0', '1', '2', '3', '5', '7', '10', '15', '24', '31', '59', '60', '61', '100', '00', '+2', '-1', '-0', '9223372036854775807', '9223372036854775808', '', 'x'];
const ODD_ITEMS = ['L', 'W', '5#2', 'LW', '15W', 'H', 'H/5', 'h', '*-5', '?-1', '*-', '-5', '5-', '/5', '5/', '1-2-3', '1/2/3', '*/*', '**', '', '5.0', '0x1', '1e1', '\u0665'];
const SEPARATORS = [' ', ' ', ' ', ' ', ' ', ' ', '  ', '\t', ' \t ', '\n', '\v', '\f', '\r', '\u00a0', '\u1680', '\u2000', '\u200a', '\u2028', '\u2029', '\u202f', '\u205f', '\u3000', '\u2003', '\ufeff', '\u200b', '\u180e', '\u0085', '\u0000'];
const DESCRIPTORS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly', '@reboot', '@Daily', '@DAILY', '@every', '@', '@daily ', '@ daily', '@weekly-random', '@daily-random'];
const DURATION_UNITS = ['ns', 'us', '\u00b5s', '\u03bcs', 'ms', 's', 'm', 'h', 'd', 'H', 'S', 'sec', 'min', ''];
const ZONES = ['UTC', 'Asia/Tokyo', 'America/New_York', 'Europe/Berlin', 'Nowhere/Zone', 'utc', '', 'Local', '+02:00'];

/** The case of a name: lower, upper or mixed. */
function anyCase(name: string, draws: SeededDraws): string {
  const form = draws.next();
  if (form < 0.4) return name;
  if (form < 0.7) return name.toUpperCase();
  return [...name].map((c) => (draws.next() < 0.5 ? c.toUpperCase() : c)).join('');
}

/** What an expression may hold: `wild` ones also get bounds outside the field, reversed ranges, bad steps and odd items. */
interface Mood {
  wild: boolean;
}

const VALID_STEPS = STEPS.filter((step) => /^\+?0*[1-9][0-9]*$/.test(step) && BigInt(step) < 2n ** 63n);

/** A value of a field: in range, or (wild) just outside; sometimes with leading zeros or a sign, or a name. */
function value(bounds: Bounds, draws: SeededDraws, mood: Mood): string {
  const roll = draws.next();
  if (bounds.names.length > 0 && roll < 0.3) return anyCase(draws.pick(bounds.names), draws);
  let number: number;
  if (mood.wild && roll < 0.4) number = draws.pick([bounds.min, bounds.max, bounds.min - 1, bounds.max + 1, 7, 0, 29, 30, 31, 60]);
  else if (roll < 0.4) number = draws.pick([bounds.min, bounds.max]);
  else number = bounds.min + Math.floor(draws.next() * (bounds.max - bounds.min + 1));
  const decoration = draws.next();
  if (decoration < 0.08) return `0${number}`;
  if (decoration < 0.11) return `00${number}`;
  if (decoration < 0.13) return `+${number}`;
  if (decoration < 0.14) return `${'0'.repeat(20)}${number}`; // beyond Atoi's 19-digit fast path
  if (mood.wild && decoration < 0.15) return draws.pick(['-0', '99999999999999999999', '9223372036854775807', '-9223372036854775808']);
  return String(number);
}

/** The number a value stands for (names by their place). */
function numberOf(text: string, bounds: Bounds): number {
  const named = bounds.names.indexOf(text.toLowerCase());
  return named >= 0 ? named + bounds.min : Number(text);
}

/** One list item: `*`/`?` with a step, a value, a range (wild: perhaps reversed), each perhaps with a step, or (wild) an odd one. */
function item(bounds: Bounds, draws: SeededDraws, mood: Mood): string {
  const roll = draws.next();
  const step = (): string => `/${draws.pick(mood.wild ? STEPS : VALID_STEPS)}`;
  if (roll < 0.15) return `${draws.pick(['*', '*', '?'])}${step()}`;
  if (roll < 0.35) return `${value(bounds, draws, mood)}${draws.next() < 0.5 ? step() : ''}`;
  if (roll < 0.85 || !mood.wild) {
    let [low, high] = [value(bounds, draws, mood), value(bounds, draws, mood)];
    if (!mood.wild && numberOf(low, bounds) > numberOf(high, bounds)) [low, high] = [high, low];
    return `${low}-${high}${draws.next() < 0.5 ? step() : ''}`;
  }
  return draws.pick(ODD_ITEMS);
}

/** One field: `*` or `?` (often), a list of items, or an empty list. */
function field(bounds: Bounds, draws: SeededDraws, options: { restricted: boolean; mood: Mood }): string {
  const { mood } = options;
  const roll = draws.next();
  if (!options.restricted && roll < 0.45) return draws.pick(['*', '*', '*', '?']);
  if (roll > 0.98) return draws.pick([',', ',,', `,${value(bounds, draws, mood)}`, `${value(bounds, draws, mood)},`]);
  const count = 1 + Math.floor(draws.next() * draws.next() * 4);
  return Array.from({ length: count }, () => item(bounds, draws, mood)).join(draws.next() < 0.03 ? ',,' : ',');
}

/** Five fields (or four, six, seven), favouring rare dates (29-31 in short months) and both day fields restricted. */
function fields(draws: SeededDraws): string[] {
  const bothDays = draws.next() < 0.3;
  const mood = { wild: draws.next() < 0.3 };
  const texts = FIELDS.map((bounds, i) => field(bounds, draws, { restricted: bothDays && (i === 2 || i === 4), mood }));
  if (draws.next() < 0.08) {
    // a rare date: the 29th-31st of a short month, perhaps on a weekday
    texts[2] = draws.pick(['29', '30', '31', '29-31', '31/1']);
    texts[3] = draws.pick(['2', 'feb', 'FEB', '4', '2,4', 'apr', '2-2']);
    texts[4] = draws.pick(['*', '?', '*/2', '*/7', '?/3', '1', 'sun', '0-6', '*/1']);
  }
  const count = draws.next();
  if (count < 0.03) return texts.slice(0, 4);
  if (count < 0.06) return [...texts, field(MINUTE, draws, { restricted: false, mood })];
  if (count < 0.07) return [...texts, '*', '2024'];
  return texts;
}

/** A Go duration, often odd: fractions, several terms, both micro signs, signs, zeros, sub-nanosecond, unknown units. */
function duration(draws: SeededDraws): string {
  const roll = draws.next();
  if (roll < 0.1) return draws.pick(['0', '-0', '+0', '', ' 1h', '1h ', '1h 30m', '1h\t', '.', '.s', '1.h', '.5h', '9223372036854775807ns', '9223372036854775808ns', '2562047h', '2562048h', '0.5ns', '00.001ns', '.0000000001s', '0.5ns0.5ns', '0.99999999999999999999ns', '0.00000000001m']);
  const terms = 1 + Math.floor(draws.next() * draws.next() * 3);
  let text = draws.next() < 0.1 ? draws.pick(['-', '+']) : '';
  for (let i = 0; i < terms; i++) {
    const whole = draws.pick(['', '0', '1', '2', '5', '30', '90', '00', '123', '1000000']);
    const fraction = draws.next() < 0.35 ? `.${draws.pick(['', '0', '5', '25', '05', '999', '001', '9999999999', '0000000001', '145', '333333333333', '50000000000000', '99999999999999999999', '9223372036854775809'])}` : '';
    text += `${whole === '' && fraction === '' ? '1' : whole}${fraction}${draws.pick(DURATION_UNITS)}`;
  }
  return text;
}

/** A descriptor: a known one (perhaps mis-cased or spaced), or `@every` with a duration. */
function descriptor(draws: SeededDraws): string {
  if (draws.next() < 0.6) return `@every${draws.pick([' ', ' ', ' ', ' ', '  ', '\t', ''])}${duration(draws)}`;
  return draws.pick(DESCRIPTORS);
}

/** randomExpression draws one cron expression of the grammar. */
export function randomExpression(draws: SeededDraws): string {
  const roll = draws.next();
  const body = roll < 0.2 ? descriptor(draws) : joinFields(fields(draws), draws);
  if (draws.next() < 0.05) return `${draws.pick(['TZ=', 'CRON_TZ=', 'tz='])}${draws.pick(ZONES)}${draws.pick([' ', ' ', '', '\t'])}${body}`;
  return body;
}

/** Joins fields with spaces, sometimes odd whitespace, and sometimes leading or trailing whitespace. */
function joinFields(texts: readonly string[], draws: SeededDraws): string {
  const odd = draws.next() < 0.15;
  let text = texts.map((t, i) => (i === 0 ? t : `${odd ? draws.pick(SEPARATORS) : ' '}${t}`)).join('');
  if (draws.next() < 0.04) text = `${draws.pick(SEPARATORS)}${text}`;
  if (draws.next() < 0.04) text = `${text}${draws.pick(SEPARATORS)}`;
  return text;
}
