/** The CLI run in-process, its output captured: what the tests of `backup-schedule-hook` call instead of spawning it. */

import { runCli } from '../../src/cli/main.js';

/** What a run printed: its exit code, and its standard output and error, a line per entry. */
export interface CliRun {
  code: number;
  out: string[];
  err: string[];
}

/** The clock the CLI reads when no --from is given. */
const NOW = Date.parse('2030-01-01T00:00:00Z');

/** runCliCaptured runs the CLI with `argv` and the environment `env` (none by default), at 2030-01-01T00:00:00Z. */
export async function runCliCaptured(argv: readonly string[], options: { env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { env: options.env ?? {}, output: { out: (l) => out.push(l), err: (l) => err.push(l) }, now: () => NOW });
  return { code, out, err };
}
