// The alerting rules (dashboards/alerts.yml) cannot drift from the engine: every metric and
// label their expressions name is one the engine exports, promtool accepts the file, the example
// Prometheus configuration loads it, and the README says what each alert means. A real
// Prometheus evaluates them in metrics.test.ts.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
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
});
