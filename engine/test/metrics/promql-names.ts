// The names a PromQL query uses, checked against what the engine exports: shared by the
// dashboard's test and the alerting rules' test, so neither can name a metric or a label the
// engine does not have. (The real Prometheus in metrics.test.ts checks the syntax.)
import { createEngineMetrics, metricDefinitions } from '../../src/metrics/mod.ts';

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

export const exportedSeries = exported();
const selector = /\b([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\{[^}]*\})?\s*(?=[{[)\s,]|$)/g;
const promqlWords = new Set(['sum', 'by', 'rate', 'increase', 'histogram_quantile', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'max', 'min', 'avg', 'count', 'label_values', 'le']);

/** Metric names a query selects: identifiers followed by a {matcher}, a [range] or standing bare. */
export function metricsIn(expr: string): { name: string; matchers: string[] }[] {
  const found: { name: string; matchers: string[] }[] = [];
  const withoutGroupings = expr.replace(/\b(by|without|on|ignoring)\s*\([^)]*\)/g, ' ');
  for (const [, name, braces] of withoutGroupings.matchAll(selector)) {
    if (promqlWords.has(name) || /^\d/.test(name)) continue;
    found.push({ name, matchers: [...(braces ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)/g)].map((m) => m[1]) });
  }
  return found;
}

/**
 * What is wrong with each query's names: no metric at all, a metric the engine does not export
 * (`also`: others a query may use, such as Prometheus' own `up`), a label matcher or a `by`
 * grouping on a label none of its metrics has.
 */
export function queryProblems(queries: readonly { where: string; expr: string }[], also: ReadonlyMap<string, ReadonlySet<string>> = new Map()): string[] {
  const problems: string[] = [];
  for (const { where, expr } of queries) {
    const used = metricsIn(expr);
    if (used.length === 0) problems.push(`${where}: no metric found in ${expr}`);
    const labels = new Set<string>();
    for (const { name, matchers } of used) {
      const known = exportedSeries.get(name) ?? also.get(name);
      if (known === undefined) {
        problems.push(`${where}: ${name} is not exported by the engine`);
        continue;
      }
      for (const label of known) labels.add(label);
      for (const m of matchers) if (!known.has(m)) problems.push(`${where}: ${name} has no label ${m}`);
    }
    for (const [, list] of expr.matchAll(/\bby\s*\(([^)]*)\)/g)) {
      for (const label of list.split(',').map((l) => l.trim())) if (!labels.has(label)) problems.push(`${where}: groups by ${label}, which none of its metrics has`);
    }
  }
  return problems;
}
