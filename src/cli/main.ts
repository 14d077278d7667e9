#!/usr/bin/env node
/**
 * backup-schedule-hook CLI:
 *   preview  -f schedule.yaml --for 30d [--from <RFC 3339>] [--backup-duration 5m]   what a spec will do
 *            [--format text|svg|html]                                                  (a picture of it)
 *   replay   -f request.json --at <RFC 3339> [--pretty]                               what /sync would answer then
 *   plan     -f objects.yaml [-f …] [--at <RFC 3339>] [--compact-backups] [--format text|json]
 *                                                                                      what the hook would do to live objects
 *   simulate -f scenario.json                                                          replay a simulator fixture
 *   seed                                                                               the seed incident comparison
 * Settings (STALE_VIEW_GRACE, HANDOVER_LABEL_KEY, …) come from the environment, as for the server.
 */

import { parseArgs } from 'node:util';

import { loadConfig } from '../config.js';
import { isEntryPoint } from '../entry-point.js';
import { parseTime } from '../core/time.js';
import { runChecked } from '../sim/invariants/run.js';
import type { ScenarioFixture } from '../sim/invariants/run.js';
import type { HookSettings } from '../sim/hook.js';
import { INVARIANT_TITLES } from '../sim/invariants/types.js';
import { PreviewTooLargeError, formatEvent, previewEvents } from '../sim/preview.js';
import type { ScheduleManifest } from '../sim/preview.js';
import { formatSeedTable, runSeedComparison } from '../sim/seed-comparison.js';
import { emptyWindowNote, readPreviewSpec } from './preview-spec.js';
import { MAX_SYNCED_CHILDREN, previewWindowProblem, tooLargeProblem } from './preview-window.js';
import { formatPlan, planSchedules } from './plan.js';
import { nameOf, readJson, readManifests, readObjects } from './read-input.js';
import { replayRequest } from './replay.js';
import { parseSpan } from './span.js';
import { timelineHtml, timelineSvg } from './timeline-svg.js';

const USAGE = `usage:
  backup-schedule-hook preview -f <schedule.yaml|json> --for <30d> [--from <RFC 3339>] [--backup-duration <5m>] [--format text|svg|html]
  backup-schedule-hook replay -f <request.json> --at <RFC 3339> [--pretty]
  backup-schedule-hook plan -f <objects.yaml|json> [-f ...] [--at <RFC 3339>] [--compact-backups] [--format text|json]
  backup-schedule-hook simulate -f <scenario.json>
  backup-schedule-hook seed
Settings come from the environment as for the server (STALE_VIEW_GRACE, HANDOVER_LABEL_KEY).`;

/** Where the CLI writes; tests pass their own. */
export interface Output {
  out(line: string): void;
  err(line: string): void;
}

/** A usage mistake: exit code 2. */
class UsageError extends Error {}

/** runCli runs one command and returns the exit code (0 fine, 1 the command found a problem, 2 bad usage). */
export async function runCli(argv: readonly string[], options: { env: NodeJS.ProcessEnv; output: Output; now: () => number }): Promise<number> {
  const { output } = options;
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'preview':
        return await preview(rest, options);
      case 'replay':
        return replay(rest, options);
      case 'plan':
        return plan(rest, options);
      case 'simulate':
        return await simulate(rest, output);
      case 'seed':
        output.out(formatSeedTable(await runSeedComparison()));
        return 0;
      case undefined:
        // No command is a usage mistake: the usage goes where errors go, so that `… > file` does not swallow it.
        output.err(USAGE);
        return 2;
      case '-h':
      case '--help':
      case 'help':
        output.out(USAGE);
        return 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    output.err(`backup-schedule-hook: ${(error as Error).message}`);
    if (error instanceof UsageError) output.err(USAGE);
    return error instanceof UsageError ? 2 : 1;
  }
}

function flags(args: readonly string[], spec: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>): Record<string, string | boolean | Array<string | boolean> | undefined> {
  try {
    return parseArgs({ args: [...args], options: spec, allowPositionals: false, strict: true }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function required(values: Record<string, string | boolean | Array<string | boolean> | undefined>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

function instant(text: string, flag: string): number {
  const ms = parseTime(text);
  if (ms === null) throw new UsageError(`${flag} "${text}" is not an RFC 3339 instant; write it like 2024-05-01T00:00:00Z`);
  return ms;
}

function span(text: string, flag: string): number {
  try {
    return parseSpan(text, flag);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/**
 * settingsOf reads the hook's settings from the environment, as the server does. A preview leaves RESYNC_EVERY out:
 * its Metacontroller resyncs every parent itself, and the extra call-backs would only repeat the same answers.
 */
function settingsOf(env: NodeJS.ProcessEnv, use: 'replay' | 'preview'): HookSettings {
  const config = loadConfig(env);
  const settings = { staleViewGraceMs: config.staleViewGraceMs, handoverLabelKey: config.handoverLabelKey, deletionStuckAfterMs: config.deletionStuckAfterMs };
  return use === 'replay' ? { ...settings, resyncEveryMs: config.resyncEveryMs } : settings;
}

async function preview(args: readonly string[], options: { env: NodeJS.ProcessEnv; output: Output; now: () => number }): Promise<number> {
  const values = flags(args, { file: { type: 'string', short: 'f' }, for: { type: 'string' }, from: { type: 'string' }, 'backup-duration': { type: 'string' }, format: { type: 'string' } });
  const format = values['format'] ?? 'text';
  if (format !== 'text' && format !== 'svg' && format !== 'html') throw new UsageError(`--format "${String(format)}" is not one of text, svg, html`);
  const forText = required(values, 'for');
  const forMs = span(forText, '--for');
  const from = typeof values['from'] === 'string' ? instant(values['from'], '--from') : Math.floor(options.now() / 1000) * 1000;
  const backupDuration = values['backup-duration'];
  const backupMs = typeof backupDuration === 'string' ? span(backupDuration, '--backup-duration') : undefined;
  const file = required(values, 'file');
  const [read, ...others] = readManifests(file) as [ScheduleManifest, ...ScheduleManifest[]];
  if (others.length > 0) {
    options.output.err(`backup-schedule-hook: ${nameOf(file)} holds ${others.length + 1} BackupSchedules; this previews the first, ${titleOf(read)} (give each its own file to preview the others)`);
  }
  // A live object's status (kubectl get -o yaml) names Backups the preview's world does not have: read with it, the
  // first slot would wait for a last Backup that never shows, and a scheduleHash of another spec would read as an edit.
  const { status, ...manifest } = read;
  if (status !== undefined) {
    options.output.err('backup-schedule-hook: the manifest\'s status is ignored: the preview creates the schedule at --from, with none of its Backups');
  }
  const spec = readPreviewSpec(manifest);
  if (spec.schedule.seed !== undefined && !manifest.metadata?.namespace) {
    options.output.err(
      `backup-schedule-hook: the manifest names no namespace, so its hashed times are drawn as in namespace default (${spec.schedule.seed}); ` +
        'created in another namespace (kubectl apply -n), the schedule runs at other times: add metadata.namespace to preview those',
    );
  }
  const problem = previewWindowProblem(spec, { from, forMs, forText });
  if (problem !== null) throw new UsageError(problem);
  const events = await previewEvents(manifest, {
    from,
    forMs,
    settings: settingsOf(options.env, 'preview'),
    maxSyncedChildren: MAX_SYNCED_CHILDREN,
    ...(backupMs === undefined ? {} : { backupMs }),
  }).catch((error: unknown) => {
    throw error instanceof PreviewTooLargeError ? new Error(tooLargeProblem(error, { from })) : error;
  });
  const note = events.length === 0 ? emptyWindowNote(spec, { from, to: from + forMs }) : null;
  if (note !== null) options.output.err(`backup-schedule-hook: ${note}`);
  if (format === 'text') {
    for (const event of events) options.output.out(formatEvent(event));
    return 0;
  }
  const picture = { from, to: from + forMs, title: titleOf(manifest) };
  options.output.out((format === 'svg' ? timelineSvg(events, picture) : timelineHtml(events, picture)).trimEnd());
  return 0;
}

function titleOf(manifest: ScheduleManifest): string {
  return `${manifest.metadata?.namespace ?? 'default'}/${manifest.metadata?.name ?? ''}`;
}

function replay(args: readonly string[], options: { env: NodeJS.ProcessEnv; output: Output }): number {
  const values = flags(args, { file: { type: 'string', short: 'f' }, at: { type: 'string' }, pretty: { type: 'boolean' } });
  const now = instant(required(values, 'at'), '--at');
  const result = replayRequest(readJson(required(values, 'file')), { now, settings: settingsOf(options.env, 'replay') });
  options.output.out(values['pretty'] === true ? JSON.stringify(JSON.parse(result.body), null, 2) : result.body);
  if (result.status !== 200) options.output.err(`backup-schedule-hook: /sync would answer ${result.status}`);
  return result.status === 200 ? 0 : 1;
}

function plan(args: readonly string[], options: { env: NodeJS.ProcessEnv; output: Output; now: () => number }): number {
  const values = flags(args, { file: { type: 'string', short: 'f', multiple: true }, at: { type: 'string' }, 'compact-backups': { type: 'boolean' }, format: { type: 'string' } });
  const format = values['format'] ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`--format "${String(format)}" is not one of text, json`);
  const files = Array.isArray(values['file']) ? values['file'].filter((f): f is string => typeof f === 'string') : [];
  if (files.length === 0) throw new UsageError('--file is required (the output of kubectl get bks,backups -o yaml; "-" reads stdin)');
  const now = typeof values['at'] === 'string' ? instant(values['at'], '--at') : Math.floor(options.now() / 1000) * 1000;
  const settings = settingsOf(options.env, 'replay');
  const plans = planSchedules(files.flatMap(readObjects), { now, settings, compactBackups: values['compact-backups'] === true });
  if (plans.length === 0) throw new Error(`${files.map(nameOf).join(', ')} holds no object with kind: BackupSchedule`);
  if (format === 'json') options.output.out(JSON.stringify(plans, null, 2));
  else for (const planned of plans) for (const line of formatPlan(planned, { now, handoverLabelKey: settings.handoverLabelKey })) options.output.out(line);
  return plans.some((planned) => planned.refused !== null) ? 1 : 0;
}

async function simulate(args: readonly string[], output: Output): Promise<number> {
  const values = flags(args, { file: { type: 'string', short: 'f' } });
  const file = required(values, 'file');
  const fixture = readJson(file) as ScenarioFixture;
  if (typeof fixture !== 'object' || fixture === null || !Array.isArray(fixture.invariants) || typeof fixture.scenario !== 'object' || fixture.scenario === null) {
    throw new Error('the file is not a simulator fixture: it needs "invariants" (the numbers of the invariants to check, 1-11) and "scenario"');
  }
  // The simulator trusts its scenarios (it writes them): a hand-made one with a part missing fails deep inside it.
  const { world, violations } = await runChecked(fixture).catch((error: unknown) => {
    throw new Error(`the scenario in ${file} cannot run (${(error as Error).message}); write it like the fixtures in test/fixtures/sim/, with every part of a scenario`);
  });
  output.out(`${world.recorder.backups.size} Backups created, ${world.syncs} syncs, ${violations.length} violations`);
  for (const v of violations) output.out(`[${v.invariant}: ${INVARIANT_TITLES[v.invariant]}] ${new Date(v.at).toISOString()} ${v.message}`);
  return violations.length === 0 ? 0 : 1;
}

if (isEntryPoint(import.meta.url)) {
  // A reader that stops early (`preview … | head`) closes the pipe: stop quietly, as other command-line tools do.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') process.stderr.write(`backup-schedule-hook: cannot write the output: ${error.message}\n`);
    process.exit(error.code === 'EPIPE' ? 0 : 1);
  });
  const output: Output = { out: (line) => process.stdout.write(`${line}\n`), err: (line) => process.stderr.write(`${line}\n`) };
  runCli(process.argv.slice(2), { env: process.env, output, now: Date.now }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`backup-schedule-hook failed: ${(error as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
