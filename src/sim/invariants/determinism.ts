/**
 * Invariant 6: the hook's answer is a function of the request and the instant — asked again, it answers the same —
 * and Metacontroller takes it (strict v2 decoding, desired children on the generated selector: `answer-check.ts`).
 */

import { decide } from '../../core/sync.js';
import { formatTime } from '../../core/time.js';
import { isSuccess } from '../hook.js';
import type { Check } from './slots.js';
import type { CheckContext } from './types.js';

/** Of the syncs that create or delete nothing, one in this many is decided again (every one that does is). */
export const QUIET_SYNC_SAMPLE = 4;

/** determinismCheck reports answers Metacontroller refuses, and decides answered requests again in-process and compares the answers byte for byte. */
export function determinismCheck(context: CheckContext): Check {
  let quiet = 0;
  return {
    onSync(sync) {
      if (sync.refused !== null) context.report(6, `Metacontroller refuses the answer at ${formatTime(sync.hookNow)}: ${sync.refused}`);
      if (!isSuccess(sync.answer)) return;
      const decisive = sync.created.length + sync.deleted.length + sync.updated.length + sync.alreadyExisted.length > 0;
      if (!decisive && quiet++ % QUIET_SYNC_SAMPLE !== 0) return;
      const again = decide(sync.request, { now: sync.hookNow, ...context.settings }).response;
      const first = JSON.stringify(sync.answer.body);
      if (JSON.stringify(again) !== first) {
        context.report(6, `the same request at ${formatTime(sync.hookNow)} got a different answer: ${first.slice(0, 300)} vs ${JSON.stringify(again).slice(0, 300)}`);
      }
    },
  };
}
