/** Lengths of time on the command line: Go durations ("36h", "90m") plus days and weeks ("30d", "2w"). */

import { parseGoDuration } from '../core/duration.js';

const DAYS = /^(\d+(?:\.\d+)?)([dw])$/;

/** parseSpan reads a length of time in ms, or throws a message that says how to write one. */
export function parseSpan(text: string, flag: string): number {
  const days = DAYS.exec(text);
  const ms = days === null ? 0 : Number(days[1]) * (days[2] === 'w' ? 7 : 1) * 86_400_000;
  if (ms > 0) return ms;
  const parsed = parseGoDuration(text);
  if (parsed.ok && parsed.ms > 0) return parsed.ms;
  if (parsed.ok || (days !== null && ms === 0)) throw new Error(`${flag} "${text}" must be longer than zero, such as 30d, 2w, 36h or 90m`);
  throw new Error(`${flag} "${text}" is not a length of time; write it like 30d, 2w, 36h or 90m`);
}
