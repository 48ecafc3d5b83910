// The Grafana dashboard cannot drift from the engine: every metric its queries name is one the
// engine exports (with the labels it filters and groups by), every engine metric has a panel,
// every panel reads the ${DS_PROMETHEUS} data source, and the README describes every panel.
// (metrics.test.ts runs the same queries against a real Prometheus, which checks the syntax.)
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createEngineMetrics, metricDefinitions, metricsPortDefault } from '../../src/metrics/mod.ts';
import { dashboardQueries } from './dashboard-queries.ts';

const dashboardsDir = new URL('../../../dashboards/', import.meta.url);
const dashboard = JSON.parse(readFileSync(new URL('onsale-engine.json', dashboardsDir), 'utf8')) as {
  uid: string;
  templating: { list: { name: string; type: string; query?: unknown; datasource?: unknown }[] };
  panels: Panel[];
};
interface Panel { id: number; type: string; title: string; description?: string; datasource?: unknown; gridPos: { x: number; y: number; w: number; h: number }; targets?: { datasource?: unknown; expr: string }[]; panels?: Panel[] }

const allPanels: Panel[] = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
const queries = dashboardQueries(dashboard);

/** Every series name the engine's registry exports, with the labels each may carry. */
function exported(): Map<string, Set<string>> {
  const { registry } = createEngineMetrics();
  const labelsByName = new Map<string, readonly string[]>(Object.values(metricDefinitions).map((d) => [d.name, d.labels]));
  const series = new Map<string, Set<string>>();
  for (const metric of registry.getMetricsAsArray()) {
    const { name, type } = metric as unknown as { name: string; type: string };
    // prom-client keeps a metric's label names on the instance; the engine's own come from the table.
    const labels = new Set([...(labelsByName.get(name) ?? (metric as unknown as { labelNames?: string[] }).labelNames ?? []), 'instance', 'job']);
    if (type === 'histogram') {
      series.set(`${name}_bucket`, new Set([...labels, 'le']));
      series.set(`${name}_sum`, labels);
      series.set(`${name}_count`, labels);
    } else if (type === 'summary') {
      series.set(name, new Set([...labels, 'quantile']));
      series.set(`${name}_sum`, labels);
      series.set(`${name}_count`, labels);
    } else {
      series.set(name, labels);
    }
  }
  return series;
}

const series = exported();
const selector = /\b([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\{[^}]*\})?\s*(?=[{[)\s,]|$)/g;
const promqlWords = new Set(['sum', 'by', 'rate', 'increase', 'histogram_quantile', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'max', 'min', 'avg', 'count', 'label_values', 'le']);

/** Metric names a query selects: identifiers followed by a {matcher}, a [range] or standing bare. */
function metricsIn(expr: string): { name: string; matchers: string[] }[] {
  const found: { name: string; matchers: string[] }[] = [];
  const withoutGroupings = expr.replace(/\b(by|without|on|ignoring)\s*\([^)]*\)/g, ' ');
  for (const [, name, braces] of withoutGroupings.matchAll(selector)) {
    if (promqlWords.has(name) || /^\d/.test(name)) continue;
    found.push({ name, matchers: [...(braces ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)/g)].map((m) => m[1]) });
  }
  return found;
}

describe('dashboard', () => {
  it('dashboard - every metric a query uses is one the engine exports, with labels it has', () => {
    expect(queries.length).toBeGreaterThan(20);
    const problems: string[] = [];
    for (const { where, expr: raw } of queries) {
      const used = metricsIn(raw);
      if (used.length === 0) problems.push(`${where}: no metric found in ${raw}`);
      const labels = new Set<string>();
      for (const { name, matchers } of used) {
        const known = series.get(name);
        if (known === undefined) {
          problems.push(`${where}: ${name} is not exported by the engine`);
          continue;
        }
        for (const label of known) labels.add(label);
        for (const m of matchers) if (!known.has(m)) problems.push(`${where}: ${name} has no label ${m}`);
      }
      for (const [, list] of raw.matchAll(/\bby\s*\(([^)]*)\)/g)) {
        for (const label of list.split(',').map((l) => l.trim())) if (!labels.has(label)) problems.push(`${where}: groups by ${label}, which none of its metrics has`);
      }
    }
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
    expect(series.has('onsale_command_total')).toBe(false);
    expect(series.get('onsale_seats')?.has('shard')).toBe(false);
    expect(series.get('onsale_mailbox_depth')?.has('shard')).toBe(true);
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
