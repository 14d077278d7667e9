import assert from 'node:assert/strict';
import { analyzeExpression } from './promql.js';
import { findOne, renderVariant } from './variants.js';

/** Metrics the hook exports (README "Observe"), plus Prometheus's own `up`. */
const KNOWN_METRICS = new Set([
  'backup_schedule_last_successful_backup_timestamp_seconds',
  'backup_schedule_expected_interval_seconds',
  'backup_schedule_stuck_backups',
  'backup_schedule_spec_valid',
  'backup_schedule_paused',
  'backup_schedule_hook_requests_total',
  'backup_schedule_hook_request_duration_seconds_bucket',
  'up',
]);

/** Per-schedule series: each replica exports only the schedules it synced. */
function isPerSchedule(metric: string): boolean {
  return metric.startsWith('backup_schedule_') && !metric.startsWith('backup_schedule_hook_');
}

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

describe('PrometheusRule (components/monitoring)', () => {
  const rule = findOne(renderVariant('monitoring'), 'PrometheusRule') as unknown as { spec: { groups: Array<{ name: string; rules: Rule[] }> } };
  const rules = rule.spec.groups.flatMap((group) => group.rules);

  it('alerts on what an on-call engineer needs: no recent backup, stuck backup, invalid spec, sync errors, latency, no syncs, hook down', () => {
    assert.deepEqual(rules.map((entry) => entry.alert), [
      'BackupScheduleNoRecentBackup', 'BackupScheduleBackupStuck', 'BackupScheduleInvalidSpec',
      'BackupScheduleHookSyncErrors', 'BackupScheduleHookSlow', 'BackupScheduleHookNotSyncing', 'BackupScheduleHookDown',
    ]);
  });

  for (const entry of rules) {
    describe(entry.alert ?? entry.record ?? '?', () => {
      const facts = analyzeExpression(entry.expr);

      it('parses as PromQL and uses only metrics the hook exports', () => {
        assert.deepEqual(facts.syntaxErrors, []);
        assert.deepEqual(facts.metrics.filter((metric) => !KNOWN_METRICS.has(metric)), []);
      });

      it('aggregates per-schedule series over replicas by (namespace, name) with max or min', () => {
        for (const use of facts.aggregations.filter((candidate) => isPerSchedule(candidate.metric))) {
          assert.ok(use.operator === 'max' || use.operator === 'min', `${use.metric} is aggregated with ${String(use.operator)}`);
          assert.deepEqual(use.by, ['name', 'namespace'], use.metric);
        }
      });

      it('has a severity, a pending period, a summary and a description that use only labels the result carries', () => {
        assert.match(entry.labels?.['severity'] ?? '', /^(critical|warning)$/);
        assert.match(entry.for ?? '', /^\d+[smh]$/);
        assert.ok(entry.annotations?.['summary'], 'summary');
        assert.ok(entry.annotations?.['description'], 'description');
        const used = Object.values(entry.annotations ?? {}).flatMap((text) => [...text.matchAll(/\$labels\.(\w+)/g)].map((match) => match[1]));
        for (const label of used) assert.ok(facts.resultLabels.includes(label ?? ''), `$labels.${String(label)} is not in the result`);
      });
    });
  }

  describe('the expression checks', () => {
    const table: Array<[expression: string, problem: (facts: ReturnType<typeof analyzeExpression>) => boolean]> = [
      ['sum(rate(x[5m])', (facts) => facts.syntaxErrors.length > 0],
      ['backup_schedule_stuck_backups > 0', (facts) => facts.aggregations[0]?.operator === null],
      ['sum by (namespace, name) (backup_schedule_stuck_backups) > 0', (facts) => facts.aggregations[0]?.operator === 'sum'],
      ['max by (namespace, name, pod) (backup_schedule_spec_valid) == 0', (facts) => facts.aggregations[0]?.by.includes('pod') === true],
      ['max without (pod) (backup_schedule_spec_valid) == 0', (facts) => facts.aggregations[0]?.by.length === 0],
      ['max by (namespace, name) (backup_schedule_spec_vaild)', (facts) => !KNOWN_METRICS.has(facts.metrics[0] ?? '')],
    ];
    for (const [expression, problem] of table) {
      it(`sees the problem in ${expression}`, () => {
        assert.ok(problem(analyzeExpression(expression)));
      });
    }
  });
});
