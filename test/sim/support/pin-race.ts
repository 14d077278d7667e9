/**
 * The pin-race hunt: pins and unpins placed against the instant retention lets a Backup go. A run of the world tells
 * when the hook retires each snapshot Backup (the call of the sync whose answer leaves it out) and, for a pinned one,
 * when it would retire it were the pin not there (the same request without the pin, to the real hook). The next step
 * pins (or unpins) that Backup by name at that instant plus an offset from −2× to +1× the lag bound of a Backup's
 * change, and runs the world again: a named pin draws its lag from a stream of its own, so the world is the previous
 * one until the pin reaches the cache, and the instant it was placed against is exact. Steps go forward in time, so the
 * earlier ones keep their place in the final world. In a world of a schedule group every schedule's retirements are
 * targets (each retires its own Backups, in its own syncs); a step with a companion (`pin-race-companions.ts`) first
 * places a clock step or a stuck window against the target and runs the world, then the pin against the target as
 * that run moved it.
 */

import { isLogBackup } from '../../../src/core/backup-state.js';
import { BACKUP_CHILD_TYPE, KEEP_ANNOTATION } from '../../../src/core/names.js';
import type { KubeObject, SyncRequest } from '../../../src/core/types.js';
import { decideHook, isSuccess } from '../../../src/sim/hook.js';
import type { Hook, HookSettings } from '../../../src/sim/hook.js';
import { runChecked } from '../../../src/sim/invariants/run.js';
import type { InvariantNumber, Violation } from '../../../src/sim/invariants/types.js';
import type { Fault, Scenario } from '../../../src/sim/scenario.js';
import type { World, WorldObserver } from '../../../src/sim/world.js';
import { companionFault, companionWrite } from './pin-race-companions.js';
import type { Companion } from './pin-race-companions.js';

/** A snapshot Backup the hook retired: the sync's call, the rule its report gave, what the request showed. */
export interface Retirement {
  name: string;
  /** The schedule whose sync retired it. */
  schedule: string;
  /** World instant of the call of the sync whose answer left it out (its view was read then). */
  readAt: number;
  reason: string;
  /** Its phase in that request (Complete, Failed, …; '' without a status). */
  phase: string;
  /** Whether the store had it pinned when Metacontroller deleted it, and whether the request showed it pinned. */
  pinnedInStore: boolean;
  pinnedInView: boolean;
}

/** A named pin's or unpin's arrival in the cache. */
export interface Arrival {
  name: string;
  pinned: boolean;
  at: number;
}

/** What one run of a pin-race world showed. */
export interface PinRaceRun {
  retirements: Retirement[];
  /** Per pinned Backup, the first call at which the hook, given the request without its pin, would have retired it. */
  wouldRetire: Map<string, { schedule: string; readAt: number; reason: string }>;
  /** Per snapshot Backup, its creation. */
  created: Map<string, number>;
  arrivals: Arrival[];
  /** The named pins' and unpins' writes that changed the store (a write to a Backup not yet made, gone, or already so changes nothing). */
  writes: Arrival[];
  violations: Violation[];
  syncs: number;
  /** The world this run was of. */
  scenario: Scenario;
}

/** One step of the hunt, drawn before the world's runs are known: shares pick a Backup and an offset. */
export interface PinRaceStep {
  /**
   * `pin`: pin a Backup the previous run retired, around its retirement. `unpin`: pin one the previous run retired
   * right after its creation, then unpin it around when the hook would retire it without the pin. `pin-deleted`: as
   * `pin`, and a user deletes it too, around the same instant. `pin-restart`: a pin from a lag before the call it is
   * placed against to the call, and Metacontroller restarting within a quarter of a lag after that call (down 1 to 2 s):
   * a pin that saved the Backup there may be missing from the new process's first LIST, whose first sync finds
   * retention due.
   */
  kind: 'pin' | 'unpin' | 'pin-deleted' | 'pin-restart';
  /** Which of the Backups that qualify, as a share of them in order of retirement. */
  target: number;
  /** The offset, as a share of [−2×lag, +lag] (for `pin-restart`, of [−lag, 0]). */
  offset: number;
  /** For `pin-deleted`: the user's deletion's offset from the pin, as a share of [−lag, +lag]; for `pin-restart`, the restart's after the call, of [0, lag / 4]. */
  second: number;
  /**
   * For `pin` and `unpin`: a clock step or a stuck window placed against the target first (`pin-race-companions.ts`);
   * the pin (or unpin) then goes against the target as the run with it moved it, `offset` a share of the companion's range.
   */
  companion?: Companion;
}

/** A pin or unpin the hunt placed, with the instant it was placed against. */
export interface PlacedPin {
  kind: PinRaceStep['kind'];
  name: string;
  /** The schedule the Backup belongs to (whose sync retired it, or would). */
  schedule: string;
  pin: boolean;
  /** World instants: the write, and the call it was placed against (a retirement, or a would-be retirement). */
  writtenAt: number;
  targetReadAt: number;
  /** The rule of that retirement, the Backup's phase then. */
  reason: string;
  phase: string;
  /** The companion placed first, and the target's instant in the run before it (`targetReadAt` is the one after). */
  companion?: { fault: Fault; targetBefore: number };
}

/** How a placed pin or unpin fared in the final world. */
export type PinOutcome =
  /** A pin: the hook never retired the Backup after it was written. */
  | 'kept'
  /** A pin in the store but not yet in the cache when the sync that retired the Backup read its view. */
  | 'lost-race'
  /**
   * As `lost-race`, but the pin had been in the store at least the longest lag when the view was read: only a watch
   * cache held past the bound (fault `cache-stuck`) keeps a change out of the view that long.
   */
  | 'lost-while-stuck'
  /** A pin that had reached the cache, missing from the view of the sync that retired the Backup (a new process's first LIST). */
  | 'lost-after-relist'
  /** A pin written after the hook had retired the Backup (a Backup being deleted or gone). */
  | 'after-retirement'
  /** The hook kept it while its view showed the pin, and retired it once an unpin reached the view. */
  | 'kept-until-unpinned'
  /** The hook retired it while its view showed the pin: an invariant-4 violation. */
  | 'retired-pinned'
  /** An unpin: the hook retired the Backup once the unpin reached its view. */
  | 'retired-after-unpin'
  /** An unpin: the Backup was kept to the end of the run (no rule let it go, or the run ended first). */
  | 'kept-after-unpin'
  /** Nothing to write: the Backup was gone (or already in that state) at the instant. */
  | 'no-op';

const SETTINGS_OF = (scenario: Scenario): HookSettings => scenario.hook;

/** createPinRaceObserver watches a run for the hunt: retirements, would-be retirements of pinned Backups, arrivals of pins. */
export function createPinRaceObserver(scenario: Scenario): { observer: WorldObserver; run: Omit<PinRaceRun, 'violations' | 'syncs' | 'scenario'> } {
  const run: Omit<PinRaceRun, 'violations' | 'syncs' | 'scenario'> = { retirements: [], wouldRetire: new Map(), created: new Map(), arrivals: [], writes: [] };
  const hook = decideHook(SETTINGS_OF(scenario));
  const pinnedInStore = new Map<string, boolean>();
  const pinnedInCache = new Map<string, boolean>();
  const named = new Set(scenario.faults.flatMap((f) => ((f.kind === 'backup-pinned' || f.kind === 'backup-unpinned') && f.name !== undefined ? [f.name] : [])));
  let watching = false;
  const observer: WorldObserver = {
    onStoreEvent(event, world) {
      if (!watching) {
        watching = true;
        world.cache.subscribe((arrived) => {
          const name = arrived.object.metadata?.name ?? '';
          if (arrived.object.kind !== 'Backup' || !named.has(name) || arrived.type === 'deleted') return;
          const pinned = isPinned(arrived.object);
          // A new process's first LIST (added) may show an older version: not an unpin arriving.
          if ((pinnedInCache.get(name) ?? false) !== pinned && arrived.type === 'modified') run.arrivals.push({ name, pinned, at: world.clock.now });
          pinnedInCache.set(name, pinned);
        });
      }
      if (event.object.kind !== 'Backup' || isLogBackup(event.object)) return;
      const name = event.object.metadata?.name ?? '';
      if (event.type === 'added') run.created.set(name, world.clock.now);
      const pinned = isPinned(event.object);
      if (event.type === 'modified' && named.has(name) && (pinnedInStore.get(name) ?? false) !== pinned) run.writes.push({ name, pinned, at: world.clock.now });
      pinnedInStore.set(name, pinned);
    },
    onSync(sync, world) {
      const schedule = world.schedules.find((s) => s.parentKey === sync.parentKey)?.setup.name ?? '';
      const observed = childrenOf(sync.request);
      const reasons = new Map(('report' in sync.answer && sync.answer.report !== undefined ? sync.answer.report.deletions : []).map((d) => [d.name, d.reason]));
      for (const name of sync.deleted) {
        const backup = observed.get(name);
        // A later sync whose view still shows it (the deletion not yet in the cache) deletes it again: the first counts.
        if (backup === undefined || isLogBackup(backup) || run.retirements.some((r) => r.name === name)) continue;
        run.retirements.push({ name, schedule, readAt: sync.calledAt, reason: reasons.get(name) ?? '', phase: phaseOf(backup), pinnedInStore: pinnedInStore.get(name) ?? false, pinnedInView: isPinned(backup) });
      }
      const pinned = [...observed.values()].filter((b) => isPinned(b) && !isLogBackup(b) && b.metadata?.deletionTimestamp == null);
      const open = pinned.filter((b) => !run.wouldRetire.has(b.metadata?.name ?? ''));
      if (open.length === 0) return;
      const blind = structuredClone(sync.request);
      for (const child of Object.values(blind.children[BACKUP_CHILD_TYPE] ?? {})) delete child.metadata?.annotations?.[KEEP_ANNOTATION];
      const answer = hook(blind, sync.hookNow);
      if (!('status' in answer) || answer instanceof Promise || !isSuccess(answer)) return;
      const kept = new Set((answer.body.children ?? []).map((c) => c.metadata?.name ?? ''));
      const why = new Map((answer.report?.deletions ?? []).map((d) => [d.name, d.reason]));
      for (const backup of open) {
        const name = backup.metadata?.name ?? '';
        if (!kept.has(name)) run.wouldRetire.set(name, { schedule, readAt: sync.calledAt, reason: why.get(name) ?? '' });
      }
    },
  };
  return { observer, run };
}

/** runPinRaceWorld runs one world under the invariants, watched for the hunt; `hook` runs instead of the real one (a broken hook, for the tests). */
export async function runPinRaceWorld(scenario: Scenario, invariants: InvariantNumber[], options: { hook?: Hook } = {}): Promise<PinRaceRun> {
  const { observer, run } = createPinRaceObserver(scenario);
  const hook = options.hook === undefined ? {} : { hook: options.hook };
  const { world, violations }: { world: World; violations: Violation[] } = await runChecked({ invariants, scenario }, { observers: [observer], ...hook });
  return { ...run, violations, syncs: world.syncs, scenario };
}

/** Options of {@link placeStep}. */
export interface PlaceOptions {
  /** The longest lag of a Backup's change (the lag range of `childChangedMs`). */
  lagMs: number;
  /** World instants: nothing is placed at or before `after`, nor against a retirement after `until`. */
  after: number;
  until: number;
  start: number;
}

/** pickRetirement is the retirement a `pin`, `pin-deleted` or `pin-restart` step aims at, or null when none qualifies. */
function pickRetirement(step: PinRaceStep, previous: Pick<PinRaceRun, 'retirements'>, options: PlaceOptions): Retirement | null {
  const { lagMs, after, until } = options;
  return pick(
    previous.retirements.filter((r) => r.readAt - 2 * lagMs > after && r.readAt <= until && !r.pinnedInStore),
    step.target,
  );
}

/**
 * placeStep turns one drawn step into faults against what the previous run showed: for `pin` and `pin-deleted`, a
 * Backup it retired, pinned at that retirement's call plus the offset (and, for `pin-deleted`, deleted by a user near
 * it); for `unpin`'s first half, a Backup it retired, pinned a second after its creation (the placed pin's target is
 * then that retirement). Null when no Backup qualifies.
 */
export function placeStep(step: PinRaceStep, previous: Pick<PinRaceRun, 'retirements' | 'created'>, options: PlaceOptions): { faults: Fault[]; placed: PlacedPin } | null {
  const { lagMs, after, until, start } = options;
  const offset = Math.round(-2 * lagMs + step.offset * 3 * lagMs);
  if (step.kind === 'unpin') {
    const candidates = previous.retirements.filter((r) => (previous.created.get(r.name) ?? -Infinity) + 1000 > after && r.readAt <= until);
    const target = pick(candidates, step.target);
    if (target === null) return null;
    const writtenAt = (previous.created.get(target.name) ?? 0) + 1000;
    return {
      faults: [{ kind: 'backup-pinned', atMs: writtenAt - start, which: 'oldest', name: target.name }],
      placed: { kind: 'unpin', name: target.name, schedule: target.schedule, pin: true, writtenAt, targetReadAt: target.readAt, reason: target.reason, phase: target.phase },
    };
  }
  const target = pickRetirement(step, previous, options);
  if (target === null) return null;
  // Against a restart, only pins that may reach the cache before the call: the ones that may then be missing from the new LIST.
  const writtenAt = target.readAt + (step.kind === 'pin-restart' ? Math.round(-lagMs + step.offset * lagMs) : offset);
  const faults: Fault[] = [{ kind: 'backup-pinned', atMs: writtenAt - start, which: 'oldest', name: target.name }];
  if (step.kind === 'pin-deleted') faults.push({ kind: 'backups-deleted', atMs: writtenAt - start + Math.round(-lagMs + step.second * 2 * lagMs), which: 'oldest', name: target.name });
  if (step.kind === 'pin-restart') faults.push({ kind: 'metacontroller-restart', atMs: target.readAt - start + Math.round((step.second * lagMs) / 4), forMs: 1000 + Math.round(step.second * 1000) });
  return { faults, placed: { kind: step.kind, name: target.name, schedule: target.schedule, pin: true, writtenAt, targetReadAt: target.readAt, reason: target.reason, phase: target.phase } };
}

/** placeUnpin places the second half of an `unpin` step: the unpin, at the would-be retirement plus the offset. */
export function placeUnpin(step: PinRaceStep, name: string, options: PlaceOptions & { wouldRetire: PinRaceRun['wouldRetire'] }): { faults: Fault[]; placed: PlacedPin } | null {
  const would = options.wouldRetire.get(name);
  if (would === undefined || would.readAt > options.until) return null;
  const writtenAt = Math.max(options.after + 1, would.readAt + Math.round(-2 * options.lagMs + step.offset * 3 * options.lagMs));
  return {
    faults: [{ kind: 'backup-unpinned', atMs: writtenAt - options.start, which: 'oldest', name }],
    placed: { kind: 'unpin', name, schedule: would.schedule, pin: false, writtenAt, targetReadAt: would.readAt, reason: would.reason, phase: '' },
  };
}

/** The outcome of a hunt over one world. */
export interface PinRaceHunt {
  scenario: Scenario;
  runs: PinRaceRun[];
  placed: PlacedPin[];
  outcomes: PinOutcome[];
}

/** Options of {@link huntPinRaces}. */
export interface HuntOptions {
  invariants: InvariantNumber[];
  /** Retirements after this share of the run are not placed against (the world needs time to settle after the last write). */
  lastShare: number;
  /** A hook to run instead of the real one (a broken hook, for the tests). */
  hook?: Hook;
}

/**
 * huntPinRaces runs the steps over one world: each step's faults placed against the previous run, then the world run
 * again (every run checked against the invariants). The last run is the final world the outcomes are read from.
 */
export async function huntPinRaces(world: Scenario, steps: readonly PinRaceStep[], options: HuntOptions): Promise<PinRaceHunt> {
  const start = Date.parse(world.start);
  const lagMs = world.lag.childChangedMs[1];
  const until = start + Math.floor(world.durationMs * options.lastShare);
  const hunt: PinRaceHunt = { scenario: world, runs: [], placed: [], outcomes: [] };
  const run = async (): Promise<PinRaceRun> => {
    const done = await runPinRaceWorld(hunt.scenario, options.invariants, options.hook === undefined ? {} : { hook: options.hook });
    hunt.runs.push(done);
    return done;
  };
  /** add puts faults into the world (with the pin or unpin they place, if any) and runs it again. */
  const add = async (faults: Fault[], placed: PlacedPin | null): Promise<PinRaceRun> => {
    hunt.scenario = { ...hunt.scenario, faults: [...hunt.scenario.faults, ...faults] };
    if (placed !== null) hunt.placed.push(placed);
    after = Math.max(after, ...faults.map((f) => start + f.atMs));
    return run();
  };
  let previous = await run();
  let after = start;
  for (const step of steps) {
    const options: PlaceOptions = { lagMs, after, until, start };
    if (step.companion !== undefined && step.kind === 'pin') {
      const target = pickRetirement(step, previous, options);
      if (target === null) continue;
      const fault = companionFault(step.companion, target.readAt, { lagMs, start, after, scenario: hunt.scenario });
      const withCompanion = await add([fault], null);
      const moved = withCompanion.retirements.find((r) => r.name === target.name)?.readAt ?? target.readAt;
      const notBefore = (withCompanion.created.get(target.name) ?? start) + 1000;
      const writtenAt = Math.max(options.after + 1, companionWrite(fault, step.offset, { lagMs, start, targetAt: moved, notBefore }));
      const placed: PlacedPin = { kind: 'pin', name: target.name, schedule: target.schedule, pin: true, writtenAt, targetReadAt: moved, reason: target.reason, phase: target.phase, companion: { fault, targetBefore: target.readAt } };
      previous = await add([{ kind: 'backup-pinned', atMs: writtenAt - start, which: 'oldest', name: target.name }], placed);
      continue;
    }
    const first = placeStep(step, previous, options);
    if (first === null) continue;
    previous = await add(first.faults, first.placed);
    if (step.kind !== 'unpin') continue;
    const name = first.placed.name;
    const second = placeUnpin(step, name, { lagMs, after, until, start, wouldRetire: previous.wouldRetire });
    if (second === null) continue;
    if (step.companion === undefined) {
      previous = await add(second.faults, second.placed);
      continue;
    }
    const unpinAfter = after;
    const fault = companionFault(step.companion, second.placed.targetReadAt, { lagMs, start, after: unpinAfter, scenario: hunt.scenario });
    const moved = (await add([fault], null)).wouldRetire.get(name)?.readAt ?? second.placed.targetReadAt;
    const writtenAt = Math.max(unpinAfter + 1, companionWrite(fault, step.offset, { lagMs, start, targetAt: moved, notBefore: unpinAfter + 1 }));
    const placed: PlacedPin = { ...second.placed, writtenAt, targetReadAt: moved, companion: { fault, targetBefore: second.placed.targetReadAt } };
    previous = await add([{ kind: 'backup-unpinned', atMs: writtenAt - start, which: 'oldest', name }], placed);
  }
  const final = hunt.runs[hunt.runs.length - 1] as PinRaceRun;
  hunt.outcomes = hunt.placed.map((p) => outcomeOf(p, final, { lagMs }));
  return hunt;
}

/**
 * outcomeOf reads how a placed pin or unpin fared in the final run; `lagMs`, the longest lag of a Backup's change,
 * tells a pin lost to a view held past it (`lost-while-stuck`) from one lost to the race; with the run's `writes`, a
 * write that changed nothing in the store (its Backup not yet made, say) is a `no-op`.
 */
export function outcomeOf(placed: PlacedPin, final: Pick<PinRaceRun, 'retirements' | 'arrivals'> & Partial<Pick<PinRaceRun, 'writes'>>, options: { lagMs?: number } = {}): PinOutcome {
  const arrival = final.arrivals.find((a) => a.name === placed.name && a.pinned === placed.pin && a.at >= placed.writtenAt);
  const retired = final.retirements.find((r) => r.name === placed.name);
  if (retired !== undefined && retired.readAt < placed.writtenAt) return placed.pin ? 'after-retirement' : 'no-op';
  if (final.writes !== undefined && !final.writes.some((w) => w.name === placed.name && w.pinned === placed.pin && Math.abs(w.at - placed.writtenAt) < 1)) return 'no-op';
  if (arrival === undefined && retired === undefined) return placed.pin ? 'no-op' : 'kept-after-unpin';
  if (placed.pin) {
    if (retired === undefined) return 'kept';
    if (retired.pinnedInView) return 'retired-pinned';
    if (arrival === undefined || retired.readAt < arrival.at) return retired.readAt - placed.writtenAt >= (options.lagMs ?? Infinity) ? 'lost-while-stuck' : 'lost-race';
    // An unpin delivered after the pin, in the same instant too (a stuck window holds both and lets them go together).
    const unpinned = final.arrivals.slice(final.arrivals.indexOf(arrival) + 1).find((a) => a.name === placed.name && !a.pinned);
    return unpinned !== undefined && unpinned.at <= retired.readAt ? 'kept-until-unpinned' : 'lost-after-relist';
  }
  return retired === undefined ? 'kept-after-unpin' : 'retired-after-unpin';
}

/** The retention rule of a reason, for counting targets: the text before its first colon, with `failed` marked. */
export function ruleOf(reason: string): string {
  const rule = reason.split(':')[0] ?? '';
  return /failed or invalid/.test(reason) ? `${rule} (failed)` : /restore base/.test(reason) ? `${rule} (restore base kept)` : rule;
}

function childrenOf(request: SyncRequest): Map<string, KubeObject> {
  return new Map(Object.values(request.children[BACKUP_CHILD_TYPE] ?? {}).map((c) => [c.metadata?.name ?? '', c]));
}

function isPinned(backup: KubeObject): boolean {
  return backup.metadata?.annotations?.[KEEP_ANNOTATION] === 'true';
}

function phaseOf(backup: KubeObject): string {
  const phase = (backup.status as { phase?: unknown } | undefined)?.phase;
  return typeof phase === 'string' ? phase : '';
}

function pick<T>(items: readonly T[], share: number): T | null {
  return items.length === 0 ? null : (items[Math.min(items.length - 1, Math.floor(share * items.length))] as T);
}
