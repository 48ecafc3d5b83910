// The Grafana dashboard cannot drift from the engine: every metric its queries name is one the
// engine exports (with the labels it filters and groups by), every engine metric has a panel,
// every panel reads the ${DS_PROMETHEUS} data source, and the README describes every panel.
// (metrics.test.ts runs the same queries against a real Prometheus, which checks the syntax.)
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { metricDefinitions, metricsPortDefault } from '../../src/metrics/mod.ts';
import { dashboardQueries } from './dashboard-queries.ts';
import { exportedSeries, metricsIn, queryProblems } from './promql-names.ts';

const dashboardsDir = new URL('../../../dashboards/', import.meta.url);
const dashboard = JSON.parse(readFileSync(new URL('onsale-engine.json', dashboardsDir), 'utf8')) as {
  uid: string;
  templating: { list: { name: string; type: string; query?: unknown; datasource?: unknown }[] };
  panels: Panel[];
};
interface Panel { id: number; type: string; title: string; description?: string; datasource?: unknown; gridPos: { x: number; y: number; w: number; h: number }; targets?: { datasource?: unknown; expr: string }[]; panels?: Panel[] }

const allPanels: Panel[] = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
const queries = dashboardQueries(dashboard);

describe('dashboard', () => {
  it('dashboard - every metric a query uses is one the engine exports, with labels it has', () => {
    expect(queries.length).toBeGreaterThan(20);
    const problems = queryProblems(queries.map((q) => ({ where: q.where, expr: q.expr })));
    expect(problems).toEqual([]);
  });

  it('dashboard - every engine metric is on a panel', () => {
    const used = new Set(queries.flatMap((q) => metricsIn(q.expr).map((m) => m.name.replace(/_(bucket|sum|count)$/, ''))));
    const missing = Object.values(metricDefinitions).map((d) => d.name).filter((name) => !used.has(name));
    expect(missing).toEqual([]);
    // And the event-loop lag, the router's and the shard workers', which the issue asks for by name.
    expect(used.has('onsale_nodejs_eventloop_lag_p99_seconds')).toBe(true);
    expect(used.has('onsale_worker_eventloop_lag_p99_seconds')).toBe(true);
  });

  it('dashboard - the checker itself catches an unknown metric, a wrong label and a wrong grouping', () => {
    // The first test passes on an empty match; this one proves the patterns see what they should.
    expect(metricsIn('sum by (code) (rate(onsale_commands_total{instance=~"$instance"}[$__rate_interval]))')).toEqual([{ name: 'onsale_commands_total', matchers: ['instance'] }]);
    expect(metricsIn('histogram_quantile(0.99, sum by (le) (rate(onsale_command_duration_seconds_bucket[5m])))').map((m) => m.name)).toEqual(['onsale_command_duration_seconds_bucket']);
    expect(exportedSeries.has('onsale_command_total')).toBe(false);
    expect(exportedSeries.get('onsale_seats')?.has('shard')).toBe(false);
    expect(exportedSeries.get('onsale_mailbox_depth')?.has('shard')).toBe(true);
  });

  // Found in session 29: the main job sends its holds in binary batches, and a batch answered
  // counts once among the commands, so the panel showed almost no refusals during a rush.
  it('dashboard - Refused share also shows the refusals inside binary batches', () => {
    const panel = allPanels.find((p) => p.title === 'Refused share')!;
    expect(panel.targets?.some((t) => /onsale_batch_records_total\{[^}]*code!="OK"/.test(t.expr))).toBe(true);
  });

  it('dashboard - panels read the ${DS_PROMETHEUS} data source and do not overlap', () => {
    const variable = dashboard.templating.list.find((v) => v.name === 'DS_PROMETHEUS');
    expect(variable?.type).toBe('datasource');
    expect(variable?.query).toBe('prometheus');
    const source = { type: 'prometheus', uid: '${DS_PROMETHEUS}' };
    const queryVariables = dashboard.templating.list.filter((v) => v.type === 'query');
    expect(queryVariables.map((v) => v.name)).toEqual(['instance', 'performance']);
    for (const v of queryVariables) expect(v.datasource, `variable ${v.name}`).toEqual(source);
    const graphs = allPanels.filter((p) => p.type !== 'row');
    expect(graphs.length).toBeGreaterThan(15);
    for (const panel of graphs) {
      expect(panel.datasource, panel.title).toEqual(source);
      for (const target of panel.targets ?? []) expect(target.datasource, panel.title).toEqual(source);
      expect(panel.description, panel.title).toBeTruthy();
    }
    expect(new Set(allPanels.map((p) => p.id)).size).toBe(allPanels.length);
    for (const a of allPanels) {
      expect(a.gridPos.x + a.gridPos.w, a.title).toBeLessThanOrEqual(24);
      for (const b of allPanels) {
        if (a === b) continue;
        const apart = a.gridPos.x + a.gridPos.w <= b.gridPos.x || b.gridPos.x + b.gridPos.w <= a.gridPos.x || a.gridPos.y + a.gridPos.h <= b.gridPos.y || b.gridPos.y + b.gridPos.h <= a.gridPos.y;
        expect(apart, `"${a.title}" overlaps "${b.title}"`).toBe(true);
      }
    }
  });

  it('dashboard - the README describes every panel, and the example scrapes the default port', () => {
    const readme = readFileSync(new URL('README.md', dashboardsDir), 'utf8');
    const undocumented = allPanels.filter((p) => p.type !== 'row' && !readme.includes(`**${p.title}**`)).map((p) => p.title);
    expect(undocumented).toEqual([]);
    expect(readme).toContain(String(metricsPortDefault));
    const scrape = readFileSync(new URL('prometheus.yml', dashboardsDir), 'utf8');
    expect(scrape).toMatch(new RegExp(`targets:\\s*\\[\\s*'127\\.0\\.0\\.1:${metricsPortDefault}'\\s*\\]`));
    expect(metricsPortDefault).toBe(9464);
  });
});
