/**
 * Random cron schedules for property tests: a structured model, rendered to robfig syntax, whose
 * meaning (a wall-time matcher) is computed from the model, not from the module's parser.
 */

import fc from 'fast-check';
import type { WallMatcher } from './brute-force-ticks.js';

interface Bounds {
  min: number;
  max: number;
  names?: readonly string[];
}
const MINUTE: Bounds = { min: 0, max: 59 };
const HOUR: Bounds = { min: 0, max: 23 };
const DAY_OF_MONTH: Bounds = { min: 1, max: 31 };
const MONTH: Bounds = { min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] };
const DAY_OF_WEEK: Bounds = { min: 0, max: 6, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] };

/** One list item of a field: `*`/`?` with an optional step, or a value or range with an optional step. */
type Item =
  | { kind: 'star'; char: '*' | '?'; step: number | null }
  | { kind: 'span'; start: number; end: number | null; step: number | null; named: boolean; lowerCase: boolean };

/** A cron field as a list of items. */
export interface FieldModel {
  items: Item[];
}

/** A random schedule: its robfig text and its meaning. */
export interface CronModel {
  fields: [FieldModel, FieldModel, FieldModel, FieldModel, FieldModel];
}

function itemArbitrary(bounds: Bounds, stars: readonly ('*' | '?')[]): fc.Arbitrary<Item> {
  const value = fc.integer({ min: bounds.min, max: bounds.max });
  const step = fc.option(fc.integer({ min: 1, max: bounds.max + 1 }), { nil: null });
  const star = fc.record({ kind: fc.constant('star' as const), char: fc.constantFrom(...stars), step });
  const span = fc
    .record({ a: value, b: fc.option(value, { nil: null }), step, named: fc.boolean(), lowerCase: fc.boolean() })
    .map(({ a, b, step: s, named, lowerCase }): Item => ({
      kind: 'span',
      start: b === null ? a : Math.min(a, b),
      end: b === null ? null : Math.max(a, b),
      step: s,
      named: named && bounds.names !== undefined,
      lowerCase,
    }));
  return fc.oneof(star, span);
}

function fieldArbitrary(bounds: Bounds, options: { stars?: readonly ('*' | '?')[]; starWeight?: number } = {}): fc.Arbitrary<FieldModel> {
  const stars = options.stars ?? ['*'];
  const list = fc.array(itemArbitrary(bounds, stars), { minLength: 1, maxLength: 3 }).map((items) => ({ items }));
  const plainStar = fc.constantFrom(...stars).map((char): FieldModel => ({ items: [{ kind: 'star', char, step: null }] }));
  return fc.oneof({ arbitrary: plainStar, weight: options.starWeight ?? 1 }, { arbitrary: list, weight: 2 });
}

/** cronModelArbitrary generates schedules that usually fire within days (month is mostly `*`). */
export function cronModelArbitrary(): fc.Arbitrary<CronModel> {
  return fc
    .tuple(
      fieldArbitrary(MINUTE),
      fieldArbitrary(HOUR),
      fieldArbitrary(DAY_OF_MONTH, { stars: ['*', '?'], starWeight: 2 }),
      fieldArbitrary(MONTH, { starWeight: 6 }),
      fieldArbitrary(DAY_OF_WEEK, { stars: ['*', '?'], starWeight: 2 }),
    )
    .map((fields) => ({ fields }));
}

const BOUNDS = [MINUTE, HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK] as const;

function renderValue(value: number, bounds: Bounds, item: { named: boolean; lowerCase: boolean }): string {
  const name = item.named ? bounds.names?.[value - bounds.min] : undefined;
  if (name === undefined) return String(value);
  return item.lowerCase ? name.toLowerCase() : name;
}

function renderItem(item: Item, bounds: Bounds): string {
  const step = item.step === null ? '' : `/${item.step}`;
  if (item.kind === 'star') return item.char + step;
  const end = item.end === null ? '' : `-${renderValue(item.end, bounds, item)}`;
  return renderValue(item.start, bounds, item) + end + step;
}

/** renderCron writes a model as a robfig expression. */
export function renderCron(model: CronModel): string {
  return model.fields.map((field, i) => field.items.map((item) => renderItem(item, BOUNDS[i] as Bounds)).join(',')).join(' ');
}

/** The values a field allows, and whether it carries robfig v1.2.0's star bit (`*`/`?`, with or without a step). */
function fieldMeaning(field: FieldModel, bounds: Bounds): { values: Set<number>; star: boolean } {
  const values = new Set<number>();
  let star = false;
  for (const item of field.items) {
    const step = item.step ?? 1;
    let start = bounds.min;
    let end = bounds.max;
    if (item.kind === 'star') star = true;
    else [start, end] = [item.start, item.end ?? (item.step === null ? item.start : bounds.max)];
    for (let v = start; v <= end; v += step) values.add(v);
  }
  return { values, star };
}

/** cronMatcher computes a model's meaning as a wall-time matcher, with robfig's day-of-month/day-of-week rule. */
export function cronMatcher(model: CronModel): WallMatcher {
  const [minute, hour, dayOfMonth, month, dayOfWeek] = model.fields.map((f, i) => fieldMeaning(f, BOUNDS[i] as Bounds)) as [
    ReturnType<typeof fieldMeaning>,
    ReturnType<typeof fieldMeaning>,
    ReturnType<typeof fieldMeaning>,
    ReturnType<typeof fieldMeaning>,
    ReturnType<typeof fieldMeaning>,
  ];
  const bothDayFields = dayOfMonth.star || dayOfWeek.star;
  return (wall) => {
    const byDay = dayOfMonth.values.has(wall.day);
    const byWeekday = dayOfWeek.values.has(wall.weekday);
    const day = bothDayFields ? byDay && byWeekday : byDay || byWeekday;
    return minute.values.has(wall.minute) && hour.values.has(wall.hour) && month.values.has(wall.month) && day;
  };
}
