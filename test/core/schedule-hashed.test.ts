/**
 * Hashed values (Jenkins' `H`) and the `-random` macros: a time drawn from the schedule's namespace/name, the same on
 * every sync, spread evenly over the range, each field drawn on its own (K8up's randomizer correlated them and never
 * drew Saturday or an annual time).
 */
import assert from 'node:assert/strict';
import { nextTick, parseSchedule } from '../../src/core/schedule.js';
import type { Schedule } from '../../src/core/schedule.js';
import { readSpec, scheduleSeed } from '../../src/core/spec.js';
import type { BackupSchedule } from '../../src/core/types.js';

const FROM = Date.parse('2024-04-01T00:00:00Z'); // a Monday

function parsed(expression: string, seed: string, timeZone = 'UTC'): Schedule {
  const result = parseSchedule(expression, { timeZone, seed });
  if (!result.ok) throw new Error(`${expression}: ${result.error}`);
  return result.schedule;
}

/** The first `count` ticks after FROM. */
function ticks(schedule: Schedule, count: number, from = FROM): number[] {
  const found: number[] = [];
  let at = from;
  for (let i = 0; i < count; i++) {
    const next = nextTick(schedule, { after: at, anchor: from });
    if (next === null) break;
    found.push(next);
    at = next;
  }
  return found;
}

/** The first tick after FROM, as UTC calendar fields. */
function firstTick(expression: string, seed: string): { minute: number; hour: number; day: number; month: number; weekday: number } {
  const [tick] = ticks(parsed(expression, seed), 1);
  assert.ok(tick !== undefined, `${expression} (${seed}) has a tick`);
  const d = new Date(tick);
  return { minute: d.getUTCMinutes(), hour: d.getUTCHours(), day: d.getUTCDate(), month: d.getUTCMonth() + 1, weekday: d.getUTCDay() };
}

/** How often each value came up, over `seeds` schedules of the same expression. */
function counts(expression: string, seeds: number, field: keyof ReturnType<typeof firstTick>): Map<number, number> {
  const seen = new Map<number, number>();
  for (let i = 0; i < seeds; i++) {
    const value = firstTick(expression, `team-${i}/nightly`)[field];
    seen.set(value, (seen.get(value) ?? 0) + 1);
  }
  return seen;
}

function schedule(namespace: string, name: string, expression: string): BackupSchedule {
  return {
    apiVersion: 'pingcap.com/v1alpha1',
    kind: 'BackupSchedule',
    metadata: { name, namespace, uid: `uid-${name}`, creationTimestamp: '2024-01-01T00:00:00Z' },
    spec: { schedule: expression, backupTemplate: { br: { cluster: 'basic' } } },
  } as BackupSchedule;
}

describe('hashed schedules (H, @daily-random)', () => {
  it('draws the same time for the same schedule every time, and runs at it each day', () => {
    const first = ticks(parsed('H H * * *', 'prod/nightly'), 3);
    assert.deepEqual(ticks(parsed('H H * * *', 'prod/nightly'), 3), first);
    assert.equal(first.length, 3);
    assert.deepEqual([first[1]! - first[0]!, first[2]! - first[1]!], [86_400_000, 86_400_000]);
  });

  // The draw is part of the contract: changing it would move every hashed schedule in every cluster at once.
  const pinned: { expression: string; seed: string; first: string }[] = [
    { expression: '@weekly-random', seed: 'prod/nightly', first: '2024-04-05T10:23:00.000Z' },
    { expression: '@monthly-random', seed: 'team-a/db', first: '2024-04-06T20:18:00.000Z' },
    { expression: 'H/15 H(9-17) * * 1-5', seed: 'tidb/hourly', first: '2024-04-01T17:04:00.000Z' },
    { expression: '@yearly-random', seed: 'default/archive', first: '2024-12-25T21:31:00.000Z' },
  ];
  for (const { expression, seed, first } of pinned) {
    it(`draws ${expression} for ${seed} as every earlier version did: first at ${first}`, () => {
      assert.equal(new Date(ticks(parsed(expression, seed), 1)[0]!).toISOString(), first);
    });
  }

  it('spreads a bare H evenly over the minutes: every minute drawn, none far from its share (6,000 schedules)', () => {
    const seen = counts('H * * * *', 6_000, 'minute');
    assert.deepEqual([...seen.keys()].sort((a, b) => a - b), Array.from({ length: 60 }, (_, i) => i));
    for (const [minute, n] of seen) assert.ok(n > 50 && n < 150, `minute ${minute} drawn ${n} times, its share is 100`);
  });

  it('draws each field on its own: @daily-random gives hundreds of distinct times of day over 1,000 schedules', () => {
    const times = new Set<string>();
    for (let i = 0; i < 1_000; i++) {
      const t = firstTick('@daily-random', `team-${i}/nightly`);
      times.add(`${t.hour}:${t.minute}`);
    }
    // From one checksum (minute = h % 60, hour = h % 24, as K8up) at most 120 pairs can come up; drawn apart, ~720.
    assert.ok(times.size > 500, `${times.size} distinct times of day`);
  });

  it('draws a day of the month every month has (1-28), unless a range says otherwise', () => {
    const days = counts('0 0 H * *', 2_000, 'day');
    assert.deepEqual([...days.keys()].sort((a, b) => a - b), Array.from({ length: 28 }, (_, i) => i + 1));
    const wide = counts('0 0 H(1-31) * *', 2_000, 'day');
    assert.ok([29, 30, 31].every((d) => (wide.get(d) ?? 0) > 0), 'H(1-31) draws 29, 30 and 31 too');
  });

  it('draws every day of the week for @weekly-random, Saturday included', () => {
    const weekdays = counts('@weekly-random', 700, 'weekday');
    assert.deepEqual([...weekdays.keys()].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6]);
  });

  const macros: { expression: string; apart: number[] }[] = [
    { expression: '@hourly-random', apart: [3_600_000, 3_600_000] },
    { expression: '@daily-random', apart: [86_400_000, 86_400_000] },
    { expression: '@midnight-random', apart: [86_400_000, 86_400_000] },
    { expression: '@weekly-random', apart: [7 * 86_400_000, 7 * 86_400_000] },
  ];
  for (const { expression, apart } of macros) {
    it(`${expression} runs once per period at the drawn time`, () => {
      const found = ticks(parsed(expression, 'prod/nightly'), 3);
      assert.deepEqual([found[1]! - found[0]!, found[2]! - found[1]!], apart);
    });
  }

  for (const expression of ['@monthly-random', '@yearly-random', '@annually-random']) {
    it(`${expression} runs once per ${expression.startsWith('@monthly') ? 'month' : 'year'}, on the same drawn day and time`, () => {
      const found = ticks(parsed(expression, 'prod/nightly'), 3).map((t) => new Date(t));
      assert.equal(found.length, 3);
      const months = found.map((d) => d.getUTCFullYear() * 12 + d.getUTCMonth());
      const step = expression.startsWith('@monthly') ? 1 : 12;
      assert.deepEqual([months[1]! - months[0]!, months[2]! - months[1]!], [step, step]);
      assert.equal(new Set(found.map((d) => d.toISOString().slice(expression.startsWith('@monthly') ? 8 : 5))).size, 1);
    });
  }

  it('H/15 runs every 15 minutes from an offset below 15; the offsets are all drawn (300 schedules)', () => {
    const offsets = new Set<number>();
    for (let i = 0; i < 300; i++) {
      const hour = ticks(parsed('H/15 * * * *', `team-${i}/often`), 4, FROM - 1).map((t) => new Date(t).getUTCMinutes());
      const o = hour[0]!;
      assert.ok(o < 15);
      assert.deepEqual(hour, [o, o + 15, o + 30, o + 45]);
      offsets.add(o);
    }
    assert.equal(offsets.size, 15);
  });

  it('H(a-b)/n steps inside the range: H(0-29)/10 runs three times in the first half of the hour', () => {
    for (let i = 0; i < 50; i++) {
      const minutes = ticks(parsed('H(0-29)/10 * * * *', `team-${i}/often`), 4, FROM - 1).map((t) => new Date(t).getUTCMinutes());
      const o = minutes[0]!;
      assert.ok(o < 10);
      assert.deepEqual(minutes, [o, o + 10, o + 20, o]);
    }
  });

  it('H H(0-2) * * * runs at a drawn time in the window 00:00-02:59 (a window, as users ask of @range)', () => {
    const hours = counts('H H(0-2) * * *', 300, 'hour');
    assert.deepEqual([...hours.keys()].sort((a, b) => a - b), [0, 1, 2]);
  });

  it('takes H in a list and names in its range', () => {
    const minutes = ticks(parsed('H,30 * * * *', 'prod/nightly'), 2).map((t) => new Date(t).getUTCMinutes());
    assert.ok(minutes.includes(30));
    const weekday = firstTick('0 0 * * H(mon-fri)', 'prod/nightly').weekday;
    assert.ok(weekday >= 1 && weekday <= 5);
  });

  it('needs no seed for an expression without H (THU is a day name, not a hashed value)', () => {
    assert.equal(parseSchedule('0 0 * * THU').ok, true);
  });

  const refused: { expression: string; says: string }[] = [
    { expression: 'H(5) * * * *', says: 'minute field "H(5)": write the range of H as H(a-b), not H(5)' },
    { expression: 'H(0-60) * * * *', says: 'minute field "H(0-60)": 60 is above 59' },
    { expression: 'H(9-3) * * * *', says: 'the range 9-3 runs backwards' },
    { expression: 'H/0 * * * *', says: 'the step after "/" must be a whole number of at least 1, not "0"' },
    { expression: '1-H * * * *', says: 'H (a hashed value) stands alone in a list item' },
    { expression: 'H5 * * * *', says: 'write a hashed value as H, H(a-b), H/step or H(a-b)/step' },
    { expression: '0 0 H(0-3) * *', says: 'day-of-month field "H(0-3)": 0 is below 1' },
    { expression: '@weekly-randomly', says: 'is not a known macro' },
    { expression: '@daily-rand', says: '@daily-random' },
    { expression: '@Hourly-random', says: '@hourly-random' },
    { expression: 'H/99999999999999999999 * * * *', says: 'the step after "/": "99999999999999999999" is too large' },
    { expression: 'h h * * *', says: 'minute field "h": write H in upper case' },
    { expression: '0 0 * * h(mon-fri)', says: 'day-of-week field "h(mon-fri)": write H in upper case' },
    { expression: 'HH * * * *', says: 'minute field "HH": write a hashed value as H, H(a-b), H/step or H(a-b)/step' },
    { expression: 'H(x-5) * * * *', says: 'minute field "H(x-5)": "x" is not a number' },
    { expression: 'H(0-x) * * * *', says: 'minute field "H(0-x)": "x" is not a number' },
  ];
  for (const { expression, says } of refused) {
    it(`refuses ${JSON.stringify(expression)}, saying how to write it`, () => {
      const result = parseSchedule(expression, { seed: 'prod/nightly' });
      assert.equal(result.ok, false);
      if (!result.ok) assert.ok(result.error.includes(says), `${result.error} should say ${says}`);
    });
  }

  // Without a seed (a caller that names no schedule) there is nothing to draw from.
  for (const expression of ['H H * * *', '@daily-random', '0 0 * * H(mon-fri)']) {
    it(`refuses ${JSON.stringify(expression)} without a seed, saying it needs the schedule's namespace and name`, () => {
      const result = parseSchedule(expression);
      assert.equal(result.ok, false);
      if (!result.ok) assert.ok(result.error.includes("H (hashed values) needs the schedule's namespace and name to draw from"), result.error);
    });
  }

  // A schedule carries its seed only when its ticks depend on it (what the preview's namespace note reads).
  const carried: { expression: string; timeZone: string; seed?: string }[] = [
    { expression: 'H H * * *', timeZone: 'UTC', seed: 'prod/nightly' },
    { expression: '@daily-random', timeZone: 'Europe/Berlin', seed: 'prod/nightly' },
    { expression: '0 0 * * H(mon-fri)', timeZone: 'UTC', seed: 'prod/nightly' },
    { expression: '0 2 * * *', timeZone: 'UTC' },
    { expression: '0 0 * * THU', timeZone: 'UTC' },
    { expression: '@daily', timeZone: 'Europe/Berlin' },
  ];
  for (const want of carried) {
    it(`gives ${JSON.stringify(want.expression)} parsed with a seed ${want.seed === undefined ? 'no seed' : 'its seed'}`, () => {
      const result = parseSchedule(want.expression, { timeZone: want.timeZone, seed: 'prod/nightly' });
      assert.ok(result.ok, JSON.stringify(result));
      assert.deepStrictEqual({ ...result.schedule }, want);
    });
  }

  it('keeps the upstream reading of a schedule without H that never runs, with a seed too: 0 0 30 2 * is accepted', () => {
    const result = parseSchedule('0 0 30 2 *', { seed: 'prod/nightly' });
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(nextTick(result.schedule, { after: FROM, anchor: FROM }), null);
  });

  it('runs a look-alike hashed schedule (not made by parseSchedule) at the time drawn from its seed', () => {
    for (const seed of ['prod/nightly', 'team-3/db', 'default/archive']) {
      const lookAlike: Schedule = { expression: 'H H * * *', timeZone: 'UTC', seed };
      assert.deepEqual(ticks(lookAlike, 2), ticks(parsed('H H * * *', seed), 2), seed);
    }
  });

  const seeds: { metadata: { namespace?: string; name?: string }; seed: string }[] = [
    { metadata: { namespace: 'prod', name: 'nightly' }, seed: 'prod/nightly' },
    { metadata: { namespace: '', name: 'nightly' }, seed: 'default/nightly' },
    { metadata: { name: 'nightly' }, seed: 'default/nightly' },
    { metadata: { namespace: 'prod' }, seed: 'prod/' },
  ];
  for (const { metadata, seed } of seeds) {
    it(`draws a schedule with metadata ${JSON.stringify(metadata)} from ${JSON.stringify(seed)}`, () => {
      assert.equal(scheduleSeed({ metadata } as BackupSchedule), seed);
    });
  }

  it('refuses a schedule whose drawn values never run, rather than never running it: 0 0 31 H * with February drawn', () => {
    // Over 1,000 names, 405 draw one of the five months without a 31st; such a schedule would report no future tick, silently.
    assert.equal(ticks(parsed('0 0 31 H *', 'prod/nightly'), 1).length, 1); // December drawn
    const result = parseSchedule('0 0 31 H *', { seed: 'team-3/nightly' });
    assert.equal(result.ok, false);
    if (!result.ok) assert.ok(result.error.includes('never runs with the values drawn') && result.error.includes('1-28'), result.error);
  });

  describe('in a BackupSchedule, drawn from its namespace and name', () => {
    function firstOf(parent: BackupSchedule): number {
      const read = readSpec(parent);
      assert.ok(read.ok, JSON.stringify(read));
      return ticks(read.spec.schedule, 1)[0]!;
    }

    it('gives schedules of the same spec and other names or namespaces other times, and one schedule the same time', () => {
      const byName = new Set(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((n) => firstOf(schedule('prod', n, 'H H * * *'))));
      assert.ok(byName.size >= 6, `${byName.size} distinct times for 8 names`);
      const byNamespace = new Set(['prod', 'stage', 'dev', 'qa', 'eu', 'us', 'ap', 'sa'].map((ns) => firstOf(schedule(ns, 'nightly', 'H H * * *'))));
      assert.ok(byNamespace.size >= 6, `${byNamespace.size} distinct times for 8 namespaces`);
      assert.equal(firstOf(schedule('prod', 'nightly', 'H H * * *')), firstOf(schedule('prod', 'nightly', 'H H * * *')));
    });

    it('draws the same as parseSchedule with the seed namespace/name', () => {
      assert.equal(firstOf(schedule('prod', 'nightly', '@daily-random')), ticks(parsed('@daily-random', 'prod/nightly'), 1)[0]);
    });
  });
});
