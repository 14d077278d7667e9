/**
 * Issue 9's stuck-backup rule, as the checks apply it to the truth: with `spec.backupTimeout`, a Backup still
 * unfinished that long after its creation no longer holds the schedule back — past one such Backup, never two.
 */

/** A Backup that was running (unfinished, not being deleted) when another one was created. */
export interface RunningBackup {
  name: string;
  /** Its creationTimestamp (world time, whole seconds). */
  createdAt: number;
}

/**
 * overlapOf returns the running Backups that make a new Backup an overlap; empty when none or when the rule excuses
 * it. The hook judges a running Backup by its own clock against the API server's creationTimestamp, so a hook clock
 * ahead of the world's passes a stuck Backup that much earlier.
 */
export function overlapOf(running: readonly RunningBackup[], rule: { timeoutMs: number | null; now: (worldAt: number) => number; createdAt: number }): string[] {
  if (running.length === 0) return [];
  const [only] = running;
  const stuck = only !== undefined && rule.timeoutMs !== null && rule.now(rule.createdAt) >= only.createdAt + rule.timeoutMs;
  return running.length === 1 && stuck ? [] : running.map((b) => b.name);
}
