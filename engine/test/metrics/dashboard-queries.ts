// The PromQL a Grafana dashboard runs: every panel target's expr (rows' nested panels included)
// and every query variable's metric selector, with Grafana's variables replaced by values
// Prometheus accepts, so the same list serves the name check and a real Prometheus.

export interface DashboardQuery {
  /** Where it sits, for failure messages: 'panel "Commands/s by type" A' or 'variable instance'. */
  where: string;
  /** As written in the dashboard (for a variable, the whole label_values(...) call). */
  raw: string;
  /** Runnable PromQL: $__rate_interval and friends as durations, $var as the regex .*; for a variable, its selector. */
  expr: string;
}

interface Target { refId?: string; expr?: unknown }
interface Panel { title?: string; targets?: Target[]; panels?: Panel[] }
interface Variable { name?: string; type?: string; query?: unknown }

export function dashboardQueries(dashboard: unknown): DashboardQuery[] {
  const d = dashboard as { panels?: Panel[]; templating?: { list?: Variable[] } };
  const out: DashboardQuery[] = [];
  const walk = (panels: Panel[] | undefined) => {
    for (const panel of panels ?? []) {
      for (const target of panel.targets ?? []) {
        if (typeof target.expr !== 'string') throw new Error(`panel "${panel.title}" target ${target.refId} has no expr`);
        out.push({ where: `panel "${panel.title}" ${target.refId}`, raw: target.expr, expr: runnable(target.expr) });
      }
      walk(panel.panels);
    }
  };
  walk(d.panels);
  for (const variable of d.templating?.list ?? []) {
    if (variable.type !== 'query') continue;
    const query = typeof variable.query === 'string' ? variable.query : (variable.query as { query?: unknown } | undefined)?.query;
    if (typeof query !== 'string') throw new Error(`variable ${variable.name} has no query`);
    // label_values(selector, label) is Grafana's; the selector inside is PromQL.
    const labelValues = /^label_values\((.+),\s*[a-zA-Z_][a-zA-Z0-9_]*\)$/.exec(query.trim());
    const selector = labelValues === null ? query : labelValues[1];
    out.push({ where: `variable ${variable.name}`, raw: query, expr: runnable(selector) });
  }
  return out;
}

function runnable(expr: string): string {
  return expr
    .replace(/\$__rate_interval|\$__interval|\$\{__rate_interval\}|\$\{__interval\}/g, '1m')
    .replace(/\$__range|\$\{__range\}/g, '1h')
    .replace(/\$\{[a-zA-Z_][a-zA-Z0-9_]*(?::[a-z]+)?\}|\$[a-zA-Z_][a-zA-Z0-9_]*/g, '.*');
}
