/** Deliberately broken hooks, each breaking one invariant, to show the checks can fail. */

import { desiredFormOfKept } from '../../../src/core/kept-form.js';
import { snapshotState } from '../../../src/core/backup-state.js';
import { BACKUP_CHILD_TYPE, KEEP_ANNOTATION, SCHEDULED_AT_ANNOTATION, logBackupName } from '../../../src/core/names.js';
import { PAUSED_BEFORE_INVALID_SPEC, scheduleHash } from '../../../src/core/schedule-edit.js';
import { mostRecentTick } from '../../../src/core/schedule.js';
import { readSpec } from '../../../src/core/spec.js';
import { conditionOf } from '../../../src/core/status.js';
import type { SyncReport } from '../../../src/core/sync.js';
import { parseTime } from '../../../src/core/time.js';
import { tsoToMillis } from '../../../src/core/tso.js';
import type { DesiredChild, KubeObject, SyncRequest } from '../../../src/core/types.js';
import { decideHook, isSuccess } from '../../../src/sim/hook.js';
import type { Hook, HookAnswer, HookSettings } from '../../../src/sim/hook.js';

type Body = { status: Record<string, unknown>; children: DesiredChild[] };

function bodyOf(answer: HookAnswer): Body {
  const copy = structuredClone(answer) as { body: Body };
  return copy.body;
}

function observedNames(request: SyncRequest): string[] {
  return Object.values(request.children[BACKUP_CHILD_TYPE] ?? {}).map((c) => c.metadata?.name ?? '');
}

/** unpinned returns a copy of the request whose Backups carry no pin (`backup-schedule-hook/keep`), and the pinned Backups as they were. */
function unpinned(request: SyncRequest): { request: SyncRequest; pinned: KubeObject[] } {
  const blind = structuredClone(request);
  const pinned: KubeObject[] = [];
  for (const child of Object.values(blind.children[BACKUP_CHILD_TYPE] ?? {})) {
    const annotations = child.metadata?.annotations;
    if (annotations?.[KEEP_ANNOTATION] !== 'true') continue;
    pinned.push(structuredClone(child));
    delete annotations[KEEP_ANNOTATION];
  }
  return { request: blind, pinned };
}

/**
 * BROKEN_HOOKS maps a broken hook's name to the invariant it breaks (and, with `says`, what one of its reports must
 * say, where another part of the invariant could report the hook for something else) and the hook itself.
 */
export function brokenHooks(settings: HookSettings): Array<{ name: string; breaks: number; alsoBreaks?: number[]; says?: RegExp; hook: Hook }> {
  const real = decideHook(settings);
  const call = (request: SyncRequest, now: number): Body => bodyOf(real(request, now) as HookAnswer);
  return [
    {
      name: 'names a new Backup after an old slot',
      breaks: 1,
      hook: (request, now) => {
        const body = call(request, now);
        const observed = observedNames(request);
        for (const child of body.children) {
          if (!observed.includes(child.metadata.name)) child.metadata.annotations = { ...child.metadata.annotations, [SCHEDULED_AT_ANNOTATION]: '2024-05-01T04:00:00Z' };
        }
        return { status: 200, body };
      },
    },
    {
      name: 'ignores the gate (a running Backup looks gone to it)',
      breaks: 2,
      hook: (request, now) => {
        const blind = structuredClone(request);
        const children = blind.children[BACKUP_CHILD_TYPE] ?? {};
        const hidden: KubeObject[] = [];
        for (const [key, child] of Object.entries(children)) {
          const done = ((child.status?.['conditions'] as Array<{ type: string }> | undefined) ?? []).some((c) => ['Complete', 'Failed', 'Invalid'].includes(c.type));
          if (!done) {
            hidden.push(child);
            delete children[key];
          }
        }
        const body = bodyOf(decideHook({ ...settings, staleViewGraceMs: 0 })(blind, now) as HookAnswer);
        for (const child of hidden) body.children.push(desiredFormOfKept(child, child.metadata?.name ?? ''));
        return { status: 200, body };
      },
    },
    {
      name: 'forgets a last Backup a user deleted (reads its watermark from the children alone)',
      breaks: 1,
      hook: (request, now) => {
        // Missing for an hour after it was asked for: not cache lag, someone deleted it.
        const recorded = request.parent.status?.lastBackup;
        const askedAt = parseTime((request.parent.status?.['lastBackupCreation'] as { time?: unknown } | undefined)?.time);
        if (typeof recorded !== 'string' || observedNames(request).includes(recorded) || askedAt === null || now < askedAt + 3_600_000) return real(request, now);
        const blind = structuredClone(request);
        for (const field of ['lastBackup', 'lastBackupTime', 'lastBackupCreation']) delete blind.parent.status?.[field];
        // The status stays right: only the children show the forgetting.
        return { status: 200, body: { ...call(blind, now), status: call(request, now).status } };
      },
    },
    {
      name: 'clears lastBackup after a few days',
      breaks: 3,
      hook: (request, now) => {
        const body = call(request, now);
        if (now > Date.parse('2024-05-05T00:00:00Z')) body.status['lastBackup'] = '';
        return { status: 200, body };
      },
    },
    {
      name: 'drops every observed child',
      breaks: 4,
      // The real hook it wraps asks for the deleted last Backup again within the grace: a second Backup for its slot.
      alsoBreaks: [1],
      hook: (request, now) => {
        const body = call(request, now);
        const observed = observedNames(request);
        body.children = body.children.filter((c) => !observed.includes(c.metadata.name));
        return { status: 200, body };
      },
    },
    {
      // The real hook on the request without its pins: its report names the pinned Backup's rule, so only the pin
      // check of invariant 4 can tell.
      name: 'ignores pins (retention deletes a pinned Backup as if it were not)',
      breaks: 4,
      says: /is pinned in the view/,
      hook: (request, now) => real(unpinned(request).request, now),
    },
    {
      // Its report names a rule for each unpinned Backup it deletes: only the counts without pins can tell.
      name: 'counts pinned Backups in maxBackups (keeps them, but deletes as many unpinned ones more)',
      breaks: 4,
      says: /newer complete Backups in the view besides pinned ones/,
      hook: (request, now) => {
        const { request: blind, pinned } = unpinned(request);
        const answer = structuredClone(real(blind, now)) as HookAnswer;
        if (!isSuccess(answer)) return answer;
        const desired = new Set(answer.body.children.map((c) => c.metadata.name));
        for (const child of pinned) if (!desired.has(child.metadata?.name ?? '')) answer.body.children.push(desiredFormOfKept(child, child.metadata?.name ?? ''));
        return answer;
      },
    },
    {
      name: 'stops creating Backups after a few days',
      breaks: 5,
      hook: (request, now) => {
        const body = call(request, now);
        const observed = observedNames(request);
        if (now > Date.parse('2024-05-06T00:00:00Z')) body.children = body.children.filter((c) => observed.includes(c.metadata.name));
        return { status: 200, body };
      },
    },
    {
      // (A random status would also make Metacontroller hot-loop on its own writes, as GCP#171 describes.)
      name: 'answers a random resyncAfterSeconds',
      breaks: 6,
      hook: (request, now) => {
        const body = call(request, now) as Body & { resyncAfterSeconds?: number };
        body.resyncAfterSeconds = 3600 + Math.floor(Math.random() * 60);
        return { status: 200, body };
      },
    },
    {
      name: 'asks to be called back every second for an hour on day four (a hot loop)',
      breaks: 11,
      hook: (request, now) => {
        const body = call(request, now) as Body & { resyncAfterSeconds?: number };
        if (now >= Date.parse('2024-05-04T01:00:00Z') && now < Date.parse('2024-05-04T02:00:00Z')) body.resyncAfterSeconds = 1;
        return { status: 200, body };
      },
    },
    {
      name: 'writes the time of each sync into its status for an hour on day five (a status that churns)',
      breaks: 11,
      hook: (request, now) => {
        const body = call(request, now);
        if (now >= Date.parse('2024-05-05T01:00:00Z') && now < Date.parse('2024-05-05T02:00:00Z')) body.status['observedAt'] = new Date(now).toISOString();
        return { status: 200, body };
      },
    },
  ];
}

/** Children of a kind in an answer body. */
function named(body: Body, kind: string): DesiredChild[] {
  return body.children.filter((c) => c.kind === kind);
}

/**
 * brokenLogHooks maps broken hooks of the log backup and its compaction to the invariant (5, 7–9) each breaks, and to
 * those its damage may also break downstream (`alsoBreaks`, never checked as required).
 */
export function brokenLogHooks(settings: HookSettings): Array<{ name: string; breaks: number; alsoBreaks?: number[]; hook: Hook }> {
  const real = decideHook(settings);
  const answer = (request: SyncRequest, now: number): { body: Body; report: SyncReport | undefined } => {
    const full = structuredClone(real(request, now)) as { body: Body; report?: SyncReport };
    return { body: full.body, report: full.report };
  };
  const logName = (request: SyncRequest): string => logBackupName(request.parent.metadata.name ?? '');
  return [
    {
      name: 'drops the observed log Backup from its answer (for an hour on day six)',
      breaks: 7,
      // Deleted every time it is seen, the log comes and goes each minute: compaction progress follows the log's start
      // when it is seen and the stale status when it is not, so the stored progress may flap (invariant 9).
      alsoBreaks: [9],
      hook: (request, now) => {
        const { body, report } = answer(request, now);
        const observed = observedNames(request);
        const from = Date.parse('2024-05-06T00:00:00Z');
        if (now >= from && now < from + 3_600_000) body.children = body.children.filter((c) => !(c.kind === 'Backup' && c.metadata.name === logName(request) && observed.includes(c.metadata.name)));
        return { status: 200, body, ...(report === undefined ? {} : { report }) };
      },
    },
    {
      name: 'never asks again for a missing log Backup',
      breaks: 7,
      hook: (request, now) => {
        const { body, report } = answer(request, now);
        const observed = observedNames(request);
        const recorded = typeof request.parent.status?.['logBackup'] === 'string';
        if (recorded) body.children = body.children.filter((c) => !(c.kind === 'Backup' && c.metadata.name === logName(request) && !observed.includes(c.metadata.name)));
        return { status: 200, body, ...(report === undefined ? {} : { report }) };
      },
    },
    {
      name: 'truncates the log up to its checkpoint',
      breaks: 8,
      hook: (request, now) => {
        const { body, report } = answer(request, now);
        const live = Object.values(request.children[BACKUP_CHILD_TYPE] ?? {}).find((c) => c.metadata?.name === logName(request));
        const checkpoint = live?.status?.['logCheckpointTs'];
        const log = named(body, 'Backup').find((c) => c.metadata.name === logName(request));
        if (log !== undefined && typeof checkpoint === 'string') {
          const current = (log.spec as Record<string, unknown>)['logTruncateUntil'];
          if (typeof current !== 'string' || BigInt(current) < BigInt(checkpoint)) log.spec = { ...(log.spec as Record<string, unknown>), logTruncateUntil: checkpoint };
        }
        return { status: 200, body, ...(report === undefined ? {} : { report }) };
      },
    },
    {
      name: 'deletes the restore base (its retention rule names it)',
      breaks: 8,
      // It deletes by its own clock, before the cutoff counted back from the checkpoint reaches the base (invariant 4).
      alsoBreaks: [4],
      hook: (request, now) => {
        const { body, report } = answer(request, now);
        const kept = new Set(named(body, 'Backup').map((c) => c.metadata.name));
        const complete = Object.values(request.children[BACKUP_CHILD_TYPE] ?? {})
          .filter((c) => kept.has(c.metadata?.name ?? '') && c.metadata?.deletionTimestamp == null && snapshotState(c) === 'complete' && typeof c.status?.['commitTs'] === 'string')
          .sort((a, b) => (BigInt(String(a.status?.['commitTs'])) < BigInt(String(b.status?.['commitTs'])) ? -1 : 1));
        const oldest = complete[0];
        const read = readSpec(request.parent);
        const maxAgeMs = read.ok ? read.spec.maxReservedTimeMs : null;
        const expired = oldest !== undefined && maxAgeMs !== null && (tsoToMillis(String(oldest.status?.['commitTs'])) ?? Infinity) + maxAgeMs <= now;
        if (oldest?.metadata?.name !== undefined && expired && complete.length >= 2) {
          const name = oldest.metadata.name;
          body.children = body.children.filter((c) => !(c.kind === 'Backup' && c.metadata.name === name));
          report?.deletions.push({ name, reason: 'maxReservedTime: expired (the broken hook forgets the restore base)', rule: 'maxReservedTime' });
        }
        return { status: 200, body, ...(report === undefined ? {} : { report }) };
      },
    },
    {
      name: 'stops retiring snapshots behind the restore base from day six (point-in-time retention)',
      breaks: 5,
      hook: (request, now) => {
        const { body, report } = answer(request, now);
        if (now >= Date.parse('2024-05-07T00:00:00Z')) {
          const kept = new Set(named(body, 'Backup').map((c) => c.metadata.name));
          const dropped = Object.values(request.children[BACKUP_CHILD_TYPE] ?? {})
            .filter((c) => !kept.has(c.metadata?.name ?? '') && c.metadata?.deletionTimestamp == null && c.metadata?.name !== logName(request));
          for (const child of dropped) body.children.push(desiredFormOfKept(child, child.metadata?.name ?? ''));
          if (report !== undefined) report.deletions = report.deletions.filter((d) => !dropped.some((c) => c.metadata?.name === d.name));
        }
        return { status: 200, body, ...(report === undefined ? {} : { report }) };
      },
    },
    {
      name: 'retries a failed compaction window under the failed one\'s name (the bug the simulator found)',
      breaks: 9,
      hook: (request, now) => {
        const { body, report } = answer(request, now);
        const unretried = (name: string): string => name.replace(/-r\d+$/, '');
        for (const c of named(body, 'CompactBackup')) c.metadata.name = unretried(c.metadata.name);
        if (typeof body.status['lastCompact'] === 'string') body.status['lastCompact'] = unretried(body.status['lastCompact']);
        return { status: 200, body, ...(report === undefined ? {} : { report }) };
      },
    },
  ];
}

/**
 * brokenSpecHooks maps hooks that mishandle an invalid spec (fault `spec-broken`) to the invariant each breaks (4: an
 * invalid spec keeps every child; 5: the fix resumes with upstream's catch-up, or the skip after a pause), what its
 * report says.
 */
export function brokenSpecHooks(settings: HookSettings): Array<{ name: string; breaks: number; alsoBreaks?: number[]; says: RegExp; hook: Hook }> {
  const real = decideHook(settings);
  const invalid = (request: SyncRequest): boolean => !readSpec(request.parent).ok;
  return [
    {
      name: 'drops every Backup under an invalid spec (takes a typo for "keep nothing")',
      breaks: 4,
      says: /leaves out .* under an invalid spec/,
      hook: (request, now) => {
        const answer = structuredClone(real(request, now)) as HookAnswer;
        if (isSuccess(answer) && invalid(request)) answer.body.children = [];
        return answer;
      },
    },
    {
      // The hook before 2f24570: an invalid spec's answer kept nothing of a pause, so the fix ran the missed tick.
      name: 'forgets a pause across an invalid spec (runs the tick missed meanwhile after the fix)',
      breaks: 5,
      says: /was backed up although spec.skipMissedOnUnpause is set/,
      hook: (request, now) => {
        const answer = structuredClone(real(request, now)) as HookAnswer;
        if (isSuccess(answer)) delete answer.body.status[PAUSED_BEFORE_INVALID_SPEC];
        return answer;
      },
    },
    {
      name: 'takes every invalid spec for a pause (never catches up after a fix)',
      breaks: 5,
      says: /the most recent one missed while the spec was broken .* was backed up 0 times/,
      hook: (request, now) => {
        const answer = structuredClone(real(request, now)) as HookAnswer;
        if (isSuccess(answer) && invalid(request)) answer.body.status[PAUSED_BEFORE_INVALID_SPEC] = true;
        return answer;
      },
    },
  ];
}

/**
 * lateCatchUpHook catches up the tick missed while the spec was broken even where its window closed before the fix (or
 * its gate) let it: it decides the first sync after an invalid spec as if at the missed tick, so the quiet window before
 * the next tick and the starting deadline are judged then, not now. Invariant 5 reports it where a window is judged
 * `missed` (spec-fix.ts).
 */
export function lateCatchUpHook(settings: HookSettings): { name: string; breaks: number; alsoBreaks: number[]; says: RegExp; hook: Hook } {
  const real = decideHook(settings);
  return {
    name: 'catches up after a fix however late (decides the first sync after an invalid spec at the missed tick)',
    breaks: 5,
    // Its status says the catch-up was asked for at the tick, hours ago: a backup-now Backup waiting for it starts beside it.
    alsoBreaks: [2],
    says: /was backed up 1 times although its window closed/,
    hook: (request, now) => {
      const read = readSpec(request.parent);
      const status = request.parent.status ?? {};
      if (!read.ok || read.spec.pause || conditionOf(status, 'Ready')?.reason !== 'InvalidSpec') return real(request, now);
      const watermark = Math.max(parseTime(status.lastBackupTime) ?? -Infinity, parseTime(status.lastMissedTime) ?? -Infinity);
      const missed = mostRecentTick(read.spec.schedule, { after: watermark, atOrBefore: now });
      return real(request, missed ?? now);
    },
  };
}

/**
 * editBlindHook misses an edit of the schedule made while the spec was invalid: on the first sync after an invalid spec
 * it takes the fixed spec's schedule for the one it recorded (as if it hashed the invalid spec's schedule), so it sees no
 * edit and catches up the new schedule's missed tick. Invariant 5 reports it where a window edited while broken is
 * judged (spec-fix.ts: no tick due before the sync that sees the edit runs).
 */
export function editBlindHook(settings: HookSettings): { name: string; breaks: number; alsoBreaks?: number[]; says: RegExp; hook: Hook } {
  const real = decideHook(settings);
  return {
    name: 'misses an edit made while the spec was invalid (catches up the new schedule after the fix)',
    breaks: 5,
    says: /was backed up although the first sync to see the edit runs no tick due before it/,
    hook: (request, now) => {
      const read = readSpec(request.parent);
      const status = request.parent.status ?? {};
      if (!read.ok || conditionOf(status, 'Ready')?.reason !== 'InvalidSpec') return real(request, now);
      const blind = structuredClone(request);
      blind.parent.status = { ...status, scheduleHash: scheduleHash(read.spec.schedule) };
      return real(blind, now);
    },
  };
}
