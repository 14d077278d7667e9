/** Whether a module is the program Node was started with, not an import. */

import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** isEntryPoint tells whether the module at `moduleUrl` is the script Node runs, also when started through a symlink (npm's bin links, a symlinked install). */
export function isEntryPoint(moduleUrl: string): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}
