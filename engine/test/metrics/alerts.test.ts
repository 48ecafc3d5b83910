// The alerting rules (dashboards/alerts.yml) cannot drift from the engine: every metric and
// label their expressions name is one the engine exports, promtool accepts the file, the example
// Prometheus configuration loads it, and the README says what each alert means. A real
// Prometheus evaluates them in metrics.test.ts.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { alertRules, alertsFile } from './alert-rules.ts';
import { metricsIn, queryProblems } from './promql-names.ts';

const dashboardsDir = new URL('../../../dashboards/', import.meta.url);
const text = readFileSync(alertsFile, 'utf8');
const rules = alertRules(text);

describe('alerting rules', () => {
  it('alerts - every metric and label an expression uses is one the engine exports (or Prometheus\' own up)', () => {
    expect(rules.length).toBeGreaterThanOrEqual(10);
    expect(new Set(rules.map((r) => r.alert)).size, 'alert names are unique').toBe(rules.length);
    const up = new Map([['up', new Set(['job', 'instance'])]]);
    expect(queryProblems(rules.map((r) => ({ where: `alert ${r.alert}`, expr: r.expr })), up)).toEqual([]);
    // The checker sees what it should in a rule's shape of expression.
    expect(queryProblems([{ where: 'x', expr: 'sum by (shard) (onsale_sagas_in_flight) > 0 unless on (instance) sum by (instance) (rate(onsale_no_such_total[10m])) > 0' }]))
      .toEqual(['x: onsale_no_such_total is not exported by the engine']);
    expect(metricsIn(rules.find((r) => r.alert === 'OnsaleStrandedTickets')!.expr).map((m) => m.name)).toEqual(['onsale_stranded_tickets']);
  });

  it('alerts - every rule has a severity, a summary and a description', () => {
    for (const block of text.split(/^\s*- alert: /m).slice(1)) {
      const name = block.split('\n')[0].trim();
      expect(block, name).toMatch(/^\s*severity: (critical|warning)$/m);
      expect(block, name).toMatch(/^\s*summary: '.+'$/m);
      expect(block, name).toMatch(/^\s*description: '.+'$/m);
    }
  });

  it('alerts - promtool accepts the file, the example configuration loads it, and the README describes every alert', () => {
    const promtool = process.env.PROMTOOL_BIN ?? 'promtool';
    const checked = spawnSync(promtool, ['check', 'rules', alertsFile], { encoding: 'utf8' });
    if (checked.error !== undefined) throw new Error(`promtool is not installed (${checked.error.message}): it comes with Debian's prometheus package, which .ci/run installs; or set PROMTOOL_BIN`);
    expect(checked.status, checked.stdout + checked.stderr).toBe(0);
    expect(checked.stdout).toContain(`SUCCESS: ${rules.length} rules found`);
    const config = readFileSync(new URL('prometheus.yml', dashboardsDir), 'utf8');
    expect(config).toMatch(/^rule_files:\s*\n\s*- alerts\.yml\s*$/m);
    const configCheck = spawnSync(promtool, ['check', 'config', fileURLToPath(new URL('prometheus.yml', dashboardsDir))], { encoding: 'utf8' });
    expect(configCheck.status, configCheck.stdout + configCheck.stderr).toBe(0);
    const readme = readFileSync(new URL('README.md', dashboardsDir), 'utf8');
    expect(rules.filter((r) => !readme.includes(`**${r.alert}**`)).map((r) => r.alert)).toEqual([]);
  });

  it('alerts - OnsaleSagasStuck fires on an instance whose sagas get no step results while its ticker runs, and not on one whose coordinators hear from their steps (promtool test rules)', () => {
    // Instance a: two sagas in flight on shard 3, the ticker's tickDue every second and a step
    // sent again and again (refused SHARD_UNAVAILABLE), no report accepted: stuck. Instance b:
    // the same sagas, with reports accepted: moving. (Before session 22 every saga step series
    // counted as progress, so a served instance, whose ticker never stops, could not fire.)
    expectPromtoolAlerts('OnsaleSagasStuck', [
      ['onsale_sagas_in_flight{instance="a", job="onsale", shard="3"}', '2x40'],
      ['onsale_saga_steps_total{instance="a", job="onsale", type="tickDue", code="OK"}', '0+60x40'],
      ['onsale_saga_steps_total{instance="a", job="onsale", type="holdSeats", code="SHARD_UNAVAILABLE"}', '0+30x40'],
      ['onsale_sagas_in_flight{instance="b", job="onsale", shard="1"}', '2x40'],
      ['onsale_saga_steps_total{instance="b", job="onsale", type="tickDue", code="OK"}', '0+60x40'],
      ['onsale_saga_steps_total{instance="b", job="onsale", type="stepResult", code="OK"}', '0+100x40'],
    ], '25m', '{ severity: warning, instance: a, shard: "3" }', 'Product sagas on shard 3 have not moved for 10 minutes');
  });

  // Found in session 29: over [5m], one SHARD_UNAVAILABLE (a routine takeover) kept the rate
  // above 0 long enough for `for: 2m`, and paged for about 3 minutes.
  it('alerts - OnsaleJournalFailing fires when refusals go on for minutes, not on one refusal of a takeover (promtool test rules)', () => {
    expectPromtoolAlerts('OnsaleJournalFailing', [
      ['onsale_commands_total{instance="a", job="onsale", type="holdSeats", code="SHARD_UNAVAILABLE"}', '0 0 1x10'],
      ['onsale_commands_total{instance="a", job="onsale", type="holdSeats", code="OK"}', '0+400x12'],
    ], '5m', null, '');
    expectPromtoolAlerts('OnsaleJournalFailing', [
      ['onsale_commands_total{instance="b", job="onsale", type="holdSeats", code="JOURNAL_FAILED"}', '0+50x12'],
    ], '5m', '{ severity: critical, instance: b }', 'b refuses commands because the journal or a shard is unavailable');
  });

  // Found in session 29: rate over [10m] and `for: 10m` fired 20 minutes after the last step result.
  it('alerts - OnsaleSagasStuck fires about 10 minutes after the last step result, not before (promtool test rules)', () => {
    const stoppedAt10m: [string, string][] = [
      ['onsale_sagas_in_flight{instance="a", job="onsale", shard="3"}', '1x40'],
      ['onsale_saga_steps_total{instance="a", job="onsale", type="stepResult", code="OK"}', '0+100x10 1000x30'],
    ];
    expectPromtoolAlerts('OnsaleSagasStuck', stoppedAt10m, '18m', null, '');
    expectPromtoolAlerts('OnsaleSagasStuck', stoppedAt10m, '22m', '{ severity: warning, instance: a, shard: "3" }', 'Product sagas on shard 3 have not moved for 10 minutes');
  });

  // Found in session 31: the rule read onsale_shard_owned, which is 1 while a recovery lasts, and
  // flips back to 1 each time a failed recovery's lease is taken again: the `for` kept resetting.
  it('alerts - OnsaleShardUnserved fires on a shard whose lease is held but that is not served, and not on one served by another instance (promtool test rules)', () => {
    expectPromtoolAlerts('OnsaleShardUnserved', [
      ['onsale_shard_owned{instance="a", job="onsale", shard="5"}', '1 1 0 1 1 1 0 1 1 1'],
      ['onsale_shard_serving{instance="a", job="onsale", shard="5"}', '0x9'],
      ['onsale_shard_owned{instance="a", job="onsale", shard="6"}', '0x9'],
      ['onsale_shard_serving{instance="a", job="onsale", shard="6"}', '0x9'],
      ['onsale_shard_owned{instance="b", job="onsale", shard="6"}', '1x9'],
      ['onsale_shard_serving{instance="b", job="onsale", shard="6"}', '1x9'],
    ], '5m', '{ severity: critical, shard: "5" }', 'Shard 5 is served by no engine process');
  });

  it('alerts - OnsaleRouterSaturated fires on an instance whose router stays over 90 % busy for 10 minutes, not on one that dips below (promtool test rules)', () => {
    // Instance a: its router busy 95 % of every scrape interval. Instance b: 95 %, but 60 % in
    // the ninth minute, so it is never over for 10 minutes running.
    expectPromtoolAlerts('OnsaleRouterSaturated', [
      ['onsale_router_eventloop_utilization_ratio{instance="a", job="onsale"}', '0.95x15'],
      ['onsale_router_eventloop_utilization_ratio{instance="b", job="onsale"}', '0.95 0.95 0.95 0.95 0.95 0.95 0.95 0.95 0.95 0.6 0.95 0.95 0.95 0.95 0.95 0.95'],
    ], '15m', '{ severity: warning, instance: a, job: onsale }', 'The router thread of a is busy over 90 % of the time');
  });
});

/**
 * Runs `promtool test rules` on alerts.yml with these input series (one sample a minute) and
 * expects, at `evalTime`, exactly one firing of `alert` with these labels, this summary and the
 * rule's own description; or, with `labels` null, none.
 */
function expectPromtoolAlerts(alert: string, series: [name: string, values: string][], evalTime: string, labels: string | null, summary: string): void {
  const rule = rules.find((r) => r.alert === alert);
  expect(rule, alert).toBeDefined();
  const description = new RegExp(`- alert: ${alert}[\\s\\S]*?description: '((?:[^']|'')*)'`).exec(text)![1].replace(/''/g, "'");
  const dir = mkdtempSync(join(tmpdir(), 'onsale-promtool-'));
  try {
    const testFile = join(dir, `${alert}.test.yml`);
    writeFileSync(testFile, [
      'rule_files:',
      `  - ${JSON.stringify(alertsFile)}`,
      'evaluation_interval: 1m',
      'tests:',
      '  - interval: 1m',
      '    input_series:',
      ...series.flatMap(([name, values]) => [`      - series: '${name}'`, `        values: '${values}'`]),
      '    alert_rule_test:',
      `      - eval_time: ${evalTime}`,
      `        alertname: ${alert}`,
      ...(labels === null ? ['        exp_alerts: []'] : [
        '        exp_alerts:',
        `          - exp_labels: ${labels}`,
        '            exp_annotations:',
        `              summary: ${JSON.stringify(summary)}`,
        `              description: ${JSON.stringify(description)}`,
      ]),
      '',
    ].join('\n'));
    const promtool = process.env.PROMTOOL_BIN ?? 'promtool';
    const tested = spawnSync(promtool, ['test', 'rules', testFile], { encoding: 'utf8' });
    if (tested.error !== undefined) throw new Error(`promtool is not installed (${tested.error.message})`);
    expect(tested.status, tested.stdout + tested.stderr).toBe(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
