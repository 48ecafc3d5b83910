// The alerting rules file (dashboards/alerts.yml) as the tests read it: each alert's name and
// its one-line expression. Shared by alerts.test.ts (names, promtool) and metrics.test.ts (a real
// Prometheus evaluates them).
import { fileURLToPath } from 'node:url';

export const alertsFile = fileURLToPath(new URL('../../../dashboards/alerts.yml', import.meta.url));

/** Each alert's name and expression, as the file writes them: `- alert: Name`, then `expr: '…'` on one line. */
export function alertRules(yaml: string): { alert: string; expr: string }[] {
  const rules: { alert: string; expr: string }[] = [];
  for (const block of yaml.split(/^\s*- alert: /m).slice(1)) {
    const alert = block.split('\n')[0].trim();
    const expr = /^\s*expr: '((?:[^']|'')*)'\s*$/m.exec(block);
    if (expr === null) throw new Error(`alert ${alert}: no one-line single-quoted expr`);
    rules.push({ alert, expr: expr[1].replace(/''/g, "'") });
  }
  return rules;
}
