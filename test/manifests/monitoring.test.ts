/**
 * The monitoring component's PrometheusRule against what the hook really exports (a scrape after real syncs)
 * and against docs/observe.md "Alerts", which must say the same thing.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import type { Sample } from '../support/scrape.js';
import { scrapeAfterRealSyncs } from '../support/service.js';
import { analyzeExpression, selects } from './promql.js';
import type { ExpressionFacts } from './promql.js';
import { findOne, renderVariant } from './variants.js';

/** Series Prometheus makes itself for every scrape target, not exported by the hook. */
const PROMETHEUS_OWN = ['up'];

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** Per-schedule metrics, each replica exporting only the schedules it synced: those whose series a scrape labels with the schedule. */
function perScheduleMetrics(samples: readonly Sample[]): Set<string> {
  return new Set(samples.filter((sample) => sample.labels['namespace'] !== undefined && sample.labels['name'] !== undefined).map((sample) => sample.name));
}

/** Per-schedule timestamps and the interval only move with the schedule; everything else per schedule is a state. */
function isState(metric: string): boolean {
  return !metric.endsWith('_seconds');
}

/** Problems with how an expression reads per-schedule series across replicas; [] when it is replica-safe. */
function replicaProblems(facts: ExpressionFacts, options: { freshest: string; perSchedule: ReadonlySet<string> }): string[] {
  const problems: string[] = [];
  for (const use of facts.aggregations.filter((candidate) => options.perSchedule.has(candidate.metric))) {
    if (use.operator !== 'max') problems.push(`${use.metric} is aggregated with ${String(use.operator)}, not max`);
    if (use.by.join() !== 'name,namespace') problems.push(`${use.metric} is aggregated by (${use.by.join(', ')}), not by (namespace, name)`);
    if (isState(use.metric) && !use.joinedWith.includes(options.freshest)) problems.push(`${use.metric} is a state read without ${options.freshest}`);
  }
  return problems;
}

/** Comparable PromQL: whitespace does not matter. */
function squeeze(text: string): string {
  return text.replace(/\s+/g, '');
}

const doc = readFileSync(new URL('../../docs/observe.md', import.meta.url), 'utf8');

/** docs/observe.md "Alerts" table rows by alert name: severity, for, expression. */
function documentedAlerts(): Map<string, { severity: string; for: string; expr: string }> {
  const rows = new Map<string, { severity: string; for: string; expr: string }>();
  for (const line of doc.split('\n')) {
    const cells = line.split(/(?<!\\)\|/).map((cell) => cell.trim());
    const name = /^`(BackupSchedule\w+)`$/.exec(cells[1] ?? '')?.[1];
    const expr = /^`(.+)`$/.exec(cells[5] ?? '')?.[1];
    if (name !== undefined && expr !== undefined) rows.set(name, { severity: cells[2] ?? '', for: cells[3] ?? '', expr: expr.replaceAll('\\|', '|') });
  }
  return rows;
}

/** docs/observe.md runbooks: `- **Alert**: text` list items, continuation lines joined. */
function documentedRunbooks(): Map<string, string> {
  const runbooks = new Map<string, string>();
  for (const match of doc.matchAll(/^- \*\*(BackupSchedule\w+)\*\*: (.+(?:\n {2}\S.*)*)/gm)) runbooks.set(match[1] as string, (match[2] as string).replace(/\s+/g, ' '));
  return runbooks;
}

/** The runbook annotation as the docs print it: the alert's labels as placeholders, whitespace folded. */
function asDocumented(runbook: string): string {
  return runbook.replace(/\{\{ \$labels\.(\w+) \}\}/g, '<$1>').replace(/\s+/g, ' ').trim();
}

/** The recording rule of docs/observe.md's yaml block. */
function documentedRecordingRule(): { record: string; expr: string } | undefined {
  const match = /- record: (\S+)\n\s+expr: \|\n((?:\s{6,}.*\n)+)/.exec(doc);
  return match === null ? undefined : { record: match[1] as string, expr: (match[2] as string).trim() };
}

describe('PrometheusRule (components/monitoring)', () => {
  const rule = findOne(renderVariant('monitoring'), 'PrometheusRule') as unknown as { spec: { groups: Array<{ name: string; rules: Rule[] }> } };
  const groups = rule.spec.groups;
  const rules = groups.flatMap((group) => group.rules);
  const alerts = rules.filter((entry) => entry.alert !== undefined);
  const recorded = rules.flatMap((entry) => (entry.record === undefined ? [] : [entry.record]));
  const FRESHEST = 'backup_schedule:freshest_replica';
  let samples: Sample[] = [];
  let known = new Set<string>();
  let perSchedule = new Set<string>();

  before(async () => {
    samples = (await scrapeAfterRealSyncs()).samples;
    known = new Set([...samples.map((sample) => sample.name), ...PROMETHEUS_OWN, ...recorded]);
    perSchedule = perScheduleMetrics(samples);
  });

  it('alerts on what an on-call engineer needs', () => {
    assert.deepEqual(alerts.map((entry) => entry.alert), [
      'BackupScheduleNoRecentBackup', 'BackupScheduleNotAdvancing', 'BackupScheduleBackupStuck', 'BackupScheduleDeletionStuck',
      'BackupScheduleInvalidSpec', 'BackupScheduleStatusWritesChangeGeneration', 'BackupScheduleLogBackupDown', 'BackupScheduleLogCheckpointLagging', 'BackupScheduleSlotsMissed', 'BackupScheduleHookSyncErrors', 'BackupScheduleHookSlow', 'BackupScheduleHookNotSyncing',
      'BackupScheduleHookDown',
    ]);
  });

  it('records the freshest replica first in the group whose alerts read it', () => {
    for (const group of groups) {
      const readers = group.rules.filter((entry) => entry.alert !== undefined && analyzeExpression(entry.expr).metrics.includes(FRESHEST));
      if (readers.length > 0) assert.equal(group.rules[0]?.record, FRESHEST, group.name);
    }
    assert.deepEqual(recorded, [FRESHEST]);
  });

  it('says what docs/observe.md says: the same recording rule, and per alert the same expression, for, severity and runbook', () => {
    const documented = documentedRecordingRule();
    const shipped = rules.find((entry) => entry.record === FRESHEST);
    assert.equal(documented?.record, FRESHEST);
    assert.equal(squeeze(shipped?.expr ?? ''), squeeze(documented?.expr ?? ''));
    const table = documentedAlerts();
    const runbooks = documentedRunbooks();
    assert.deepEqual([...table.keys()], alerts.map((entry) => entry.alert));
    assert.deepEqual([...runbooks.keys()], alerts.map((entry) => entry.alert));
    for (const entry of alerts) {
      const row = table.get(entry.alert ?? '');
      assert.equal(squeeze(entry.expr), squeeze(row?.expr ?? ''), `${String(entry.alert)} expression`);
      assert.equal(entry.for, row?.for, `${String(entry.alert)} for`);
      assert.equal(entry.labels?.['severity'], row?.severity, `${String(entry.alert)} severity`);
      assert.equal(asDocumented(entry.annotations?.['runbook'] ?? ''), runbooks.get(entry.alert ?? ''), `${String(entry.alert)} runbook`);
    }
  });

  for (const entry of rules) {
    describe(entry.alert ?? entry.record ?? '?', () => {
      const facts = analyzeExpression(entry.expr);

      it('parses as PromQL and uses only metrics a real scrape shows (or Prometheus and this rule make)', () => {
        assert.deepEqual(facts.syntaxErrors, []);
        assert.deepEqual(facts.metrics.filter((metric) => !known.has(metric)), []);
      });

      it('selects series a real scrape has: every label matcher matches real label values', () => {
        for (const selector of facts.selectors.filter((candidate) => !PROMETHEUS_OWN.includes(candidate.metric) && !recorded.includes(candidate.metric))) {
          assert.ok(samples.some((sample) => selects(selector, sample)), `${selector.metric}${JSON.stringify(selector.matchers)} selects nothing`);
        }
      });

      if (entry.alert === undefined) return;

      it('reads per-schedule series across replicas: by (namespace, name) with max, states from the freshest replica', () => {
        assert.deepEqual(replicaProblems(facts, { freshest: FRESHEST, perSchedule }), []);
      });

      it('has a severity, a pending period, a summary, a description and a runbook that use only labels the result carries', () => {
        assert.match(entry.labels?.['severity'] ?? '', /^(critical|warning)$/);
        assert.match(entry.for ?? '', /^\d+[smh]$/);
        for (const key of ['summary', 'description', 'runbook']) assert.ok(entry.annotations?.[key], key);
        const used = Object.values(entry.annotations ?? {}).flatMap((text) => [...text.matchAll(/\$labels\.(\w+)/g)].map((match) => match[1]));
        for (const label of used) assert.ok(facts.resultLabels.includes(label ?? ''), `$labels.${String(label)} is not in the result`);
      });
    });
  }

  it('counts as sync errors exactly the /sync requests a real scrape shows answered other than 200', () => {
    const errors = alerts.find((entry) => entry.alert === 'BackupScheduleHookSyncErrors');
    const [selector] = analyzeExpression(errors?.expr ?? '').selectors;
    assert.ok(selector !== undefined);
    const syncs = samples.filter((sample) => sample.name === 'backup_schedule_hook_requests_total' && sample.labels['route'] === '/sync');
    const codes = (picked: Sample[]): string[] => picked.map((sample) => sample.labels['code'] ?? '').sort();
    assert.deepEqual(codes(syncs), ['200', '400', '415']);
    assert.deepEqual(codes(syncs.filter((sample) => selects(selector, sample))), ['400', '415']);
  });

  describe('the expression checks', () => {
    const table: Array<[expression: string, problem: (facts: ExpressionFacts) => boolean]> = [
      ['sum(rate(x[5m])', (facts) => facts.syntaxErrors.length > 0],
      ['backup_schedule_stuck_backups > 0', (facts) => replicaProblems(facts, { freshest: FRESHEST, perSchedule }).length > 0],
      ['sum by (namespace, name) (backup_schedule_last_scheduled_timestamp_seconds) > 0', (facts) => replicaProblems(facts, { freshest: FRESHEST, perSchedule }).length > 0],
      ['max by (namespace, name, pod) (backup_schedule_last_scheduled_timestamp_seconds) > 0', (facts) => replicaProblems(facts, { freshest: FRESHEST, perSchedule }).length > 0],
      ['max without (pod) (backup_schedule_last_scheduled_timestamp_seconds) > 0', (facts) => replicaProblems(facts, { freshest: FRESHEST, perSchedule }).length > 0],
      ['max by (namespace, name) (backup_schedule_spec_valid) == 0', (facts) => replicaProblems(facts, { freshest: FRESHEST, perSchedule }).length > 0],
      ['max by (namespace, name) (backup_schedule_spec_vaild)', (facts) => !known.has(facts.metrics[0] ?? '')],
      ['rate(backup_schedule_hook_requests_total{route="sync"}[5m])', (facts) => !samples.some((sample) => facts.selectors.every((s) => selects(s, sample)))],
      ['rate(backup_schedule_hook_requests_total{path="/sync"}[5m])', (facts) => !samples.some((sample) => facts.selectors.every((s) => selects(s, sample)))],
    ];
    for (const [expression, problem] of table) {
      it(`sees the problem in ${expression}`, () => {
        assert.ok(problem(analyzeExpression(expression)));
      });
    }

    it('passes the replica-safe forms', () => {
      const safe = 'max by (namespace, name) (backup_schedule_spec_valid and on (namespace, name, instance) backup_schedule:freshest_replica) == 0';
      assert.deepEqual(replicaProblems(analyzeExpression(safe), { freshest: FRESHEST, perSchedule }), []);
    });
  });
});
