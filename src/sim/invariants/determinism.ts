/** Invariant 6: the hook's answer is a function of the request and the instant — asked again, it answers the same. */

import { decide } from '../../core/sync.js';
import { formatTime } from '../../core/time.js';
import { isSuccess } from '../hook.js';
import type { Check } from './slots.js';
import type { CheckContext } from './types.js';

/** determinismCheck decides every answered request again in-process and compares the answers byte for byte. */
export function determinismCheck(context: CheckContext): Check {
  return {
    onSync(sync) {
      if (!isSuccess(sync.answer)) return;
      const again = decide(sync.request, { now: sync.hookNow, ...context.settings }).response;
      const first = JSON.stringify(sync.answer.body);
      if (JSON.stringify(again) !== first) {
        context.report(6, `the same request at ${formatTime(sync.hookNow)} got a different answer: ${first.slice(0, 300)} vs ${JSON.stringify(again).slice(0, 300)}`);
      }
    },
  };
}
