/** How long a store change takes to reach an informer cache: random per object version, within configured ranges. */

import type { Random } from './random.js';
import type { StoreEvent } from './store.js';

/** A range in milliseconds, [min, max]. */
export type MsRange = readonly [number, number];

/** Lag ranges by what changed. */
export interface LagConfig {
  /** Any change of a BackupSchedule (its status writes included): how old the parent in a request may be. */
  parentMs: MsRange;
  /** A new child (Backup, CompactBackup): how long "the Backup created a moment ago is not in the list yet" lasts. */
  childAddedMs: MsRange;
  /** A child's update or deletion. */
  childChangedMs: MsRange;
}

/** A lag of zero everywhere: the cache is the store. */
export const NO_LAG: LagConfig = { parentMs: [0, 0], childAddedMs: [0, 0], childChangedMs: [0, 0] };

/** A function that draws the lag of one change. */
export type LagModel = (event: StoreEvent) => number;

/** createLagModel draws each change's lag uniformly from its range. */
export function createLagModel(config: LagConfig, random: Random): LagModel {
  return function lagOf(event: StoreEvent): number {
    if (event.object.kind === 'BackupSchedule') return Math.round(random.between(config.parentMs));
    return Math.round(random.between(event.type === 'added' ? config.childAddedMs : config.childChangedMs));
  };
}

/** maxLagMs is the longest lag the config allows. */
export function maxLagMs(config: LagConfig): number {
  return Math.max(config.parentMs[1], config.childAddedMs[1], config.childChangedMs[1]);
}
