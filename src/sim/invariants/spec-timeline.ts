/**
 * The schedule's spec over a run, read from its stored versions (invariant 5 across broken specs, spec-fix.ts). Each
 * spec is normal (valid and not paused), or not: paused (`spec.pause: true`, valid or not) or invalid. A span is a
 * stretch of specs that are not normal, from the write that ended a normal one to the write that made it normal again:
 * overlapping broken windows are one span, and so is a pause around a break, whatever faults wrote them.
 */

import { BACKUP_NOW_ANNOTATION } from '../../core/names.js';
import { readSpec } from '../../core/spec.js';
import type { BackupSchedule } from '../../core/types.js';

/** One stored version of the schedule, by when it was written (world ms). */
export interface SpecVersion {
  at: number;
  parent: BackupSchedule;
}

/** What a spec lets the hook do. */
export interface SpecReading {
  /** When it was written. */
  at: number;
  parent: BackupSchedule;
  /** Valid and not paused. */
  normal: boolean;
  /** `spec.pause: true`, valid or not (an invalid spec's answer records it too: `pausedBeforeInvalidSpec`). */
  paused: boolean;
  /** The schedule a valid spec plans with (expression and zone, as `status.scheduleHash` hashes it), or null. */
  schedule: string | null;
}

/** A stretch of specs that are not normal. */
export interface SpecSpan {
  /** The first spec of it (its write ended a normal one). */
  first: SpecReading;
  /** The normal spec before it and when the stretch of normal specs it ends began, or null when the run began with it. */
  before: { reading: SpecReading; normalFrom: number } | null;
  /** The normal spec that ended it, or null when none did by the end of the run. */
  after: SpecReading | null;
  /** The stretches in it whose spec says `pause: true`, each [from, to). */
  paused: Array<{ from: number; to: number }>;
  /** The schedules of its valid specs: a paused one the hook reads, and records (an edit). */
  schedules: ReadonlySet<string>;
}

/** The run's specs, one per spec change (a status write keeps the spec), and its spans. */
export interface SpecTimeline {
  readings: SpecReading[];
  spans: SpecSpan[];
}

/** specTimelineOf reads the stored versions (in order) into specs and spans. */
export function specTimelineOf(versions: readonly SpecVersion[]): SpecTimeline {
  const readings: SpecReading[] = [];
  for (const version of versions) {
    const last = readings.at(-1)?.parent;
    // What readSpec reads changes with the spec (its generation) or the metadata it reads: the backup-now annotation.
    if (last !== undefined && last.metadata.generation === version.parent.metadata.generation && last.metadata.annotations?.[BACKUP_NOW_ANNOTATION] === version.parent.metadata.annotations?.[BACKUP_NOW_ANNOTATION]) continue;
    readings.push(readingOf(version));
  }
  return { readings, spans: spansOf(readings) };
}

/** readingAt is the spec in the store at `at` (the last written at or before it), or null before the first. */
export function readingAt(timeline: SpecTimeline, at: number): SpecReading | null {
  let found: SpecReading | null = null;
  for (const reading of timeline.readings) {
    if (reading.at > at) break;
    found = reading;
  }
  return found;
}

/** spanAt is the span whose specs include the one in the store at `at`, or null when that one is normal. */
export function spanAt(timeline: SpecTimeline, at: number): SpecSpan | null {
  const reading = readingAt(timeline, at);
  if (reading === null || reading.normal) return null;
  return timeline.spans.find((span) => span.first.at <= at && (span.after === null || at < span.after.at)) ?? null;
}

/** neighboursOf is the span before `span` and the one after it (null where there is none). */
export function neighboursOf(timeline: SpecTimeline, span: SpecSpan): { previous: SpecSpan | null; next: SpecSpan | null } {
  const index = timeline.spans.indexOf(span);
  return { previous: timeline.spans[index - 1] ?? null, next: timeline.spans[index + 1] ?? null };
}

/**
 * scheduleSetAt is when the valid spec took the schedule it has at `at` (a write that changed it from another valid
 * spec's is an edit; else it is the first valid spec's write), or null when no valid spec was written by then.
 */
export function scheduleSetAt(timeline: SpecTimeline, at: number): { at: number; edited: boolean } | null {
  let schedule: string | null = null;
  let set: { at: number; edited: boolean } | null = null;
  for (const reading of timeline.readings) {
    if (reading.at > at) break;
    if (reading.schedule === null || reading.schedule === schedule) continue;
    set = { at: reading.at, edited: schedule !== null };
    schedule = reading.schedule;
  }
  return set;
}

function readingOf(version: SpecVersion): SpecReading {
  const read = readSpec(version.parent);
  const spec = version.parent.spec;
  const paused = typeof spec === 'object' && spec !== null && (spec as Record<string, unknown>)['pause'] === true;
  const schedule = read.ok ? `${read.spec.schedule.expression}\n${read.spec.schedule.timeZone}` : null;
  return { at: version.at, parent: version.parent, normal: read.ok && !paused, paused, schedule };
}

function spansOf(readings: readonly SpecReading[]): SpecSpan[] {
  const spans: SpecSpan[] = [];
  let normalFrom: number | null = null;
  for (let i = 0; i < readings.length; ) {
    const reading = readings[i] as SpecReading;
    if (reading.normal) {
      normalFrom ??= reading.at;
      i += 1;
      continue;
    }
    const previous = readings[i - 1];
    const span: SpecSpan = {
      first: reading,
      before: previous === undefined || normalFrom === null ? null : { reading: previous, normalFrom },
      after: null,
      paused: [],
      schedules: new Set(),
    };
    const schedules = new Set<string>();
    let pausedFrom: number | null = null;
    for (; i < readings.length && !(readings[i] as SpecReading).normal; i += 1) {
      const inside = readings[i] as SpecReading;
      if (inside.schedule !== null) schedules.add(inside.schedule);
      if (inside.paused) pausedFrom ??= inside.at;
      else if (pausedFrom !== null) {
        span.paused.push({ from: pausedFrom, to: inside.at });
        pausedFrom = null;
      }
    }
    span.after = readings[i] ?? null;
    if (pausedFrom !== null) span.paused.push({ from: pausedFrom, to: span.after?.at ?? Infinity });
    span.schedules = schedules;
    spans.push(span);
    normalFrom = null;
  }
  return spans;
}
