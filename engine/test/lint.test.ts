// The purity rule in eslint.config.js keeps engine/src/domain free of I/O, clocks, randomness,
// transport and metrics. These tests lint small snippets as if they were domain files, so a
// config edit that silently drops a restriction fails here rather than in review.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });
const domainPath = 'engine/src/domain/__probe__.ts';
const runtimePath = 'engine/src/runtime/__probe__.ts';
const purityRules = ['no-restricted-imports', 'no-restricted-properties', 'no-restricted-globals', 'no-restricted-syntax'];

interface Finding { ruleId: string | null; severity: number; message: string }

async function lint(code: string, filePath: string): Promise<Finding[]> {
  const [result] = await eslint.lintText(code, { filePath });
  // A parse error or an ignored file would report no rule at all; neither may pass as clean.
  expect(result.fatalErrorCount, result.messages.map((m) => m.message).join('\n')).toBe(0);
  expect(result.messages.filter((m) => m.ruleId === null)).toEqual([]);
  return result.messages.map(({ ruleId, severity, message }) => ({ ruleId, severity, message }));
}

const impure: readonly [string, string, string][] = [
  ['node:fs', "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;\n", 'no-restricted-imports'],
  ['bare fs', "import fs from 'fs';\nexport const f = fs;\n", 'no-restricted-imports'],
  ['nats', "import { connect } from 'nats';\nexport const c = connect;\n", 'no-restricted-imports'],
  ['@nats-io/*', "import { connect } from '@nats-io/transport-node';\nexport const c = connect;\n", 'no-restricted-imports'],
  ['prom-client', "import { Counter } from 'prom-client';\nexport const c = Counter;\n", 'no-restricted-imports'],
  ['fastify', "import Fastify from 'fastify';\nexport const f = Fastify;\n", 'no-restricted-imports'],
  ['piscina', "import Piscina from 'piscina';\nexport const p = Piscina;\n", 'no-restricted-imports'],
  ['re-export of node:fs', "export { readFileSync } from 'node:fs';\n", 'no-restricted-imports'],
  ['Date.now()', 'export const t = Date.now();\n', 'no-restricted-properties'],
  ['Math.random()', 'export const r = Math.random();\n', 'no-restricted-properties'],
  ['performance.now()', 'export const t = performance.now();\n', 'no-restricted-properties'],
  ['new Date()', 'export const d = new Date();\n', 'no-restricted-syntax'],
  ['process.env', 'export const e = process.env.HOME;\n', 'no-restricted-globals'],
  ['setTimeout', 'export function later(f: () => void): void { setTimeout(f, 1); }\n', 'no-restricted-globals'],
];

describe('lint', () => {
  it.each(impure)('lint - the domain purity rule flags %s', async (_what, code, rule) => {
    const findings = await lint(code, domainPath);
    const hits = findings.filter((f) => f.ruleId === rule);
    expect(hits.length, JSON.stringify(findings)).toBeGreaterThan(0);
    expect(hits.every((f) => f.severity === 2)).toBe(true);
  });

  it('lint - the messages say why', async () => {
    const [clock] = await lint('export const t = Date.now();\n', domainPath);
    expect(clock.message).toContain('nowMs');
    const [transport] = await lint("import { connect } from 'nats';\nexport const c = connect;\n", domainPath);
    expect(transport.message).toContain('Bus');
  });

  it('lint - a clean domain snippet has no errors', async () => {
    const clean = [
      "import { limits } from './limits.ts';",
      'export function expiresAtMs(nowMs: number, ttlMs: number): number {',
      '  const at = new Date(nowMs + Math.min(ttlMs, limits.holdTtlMsMax));',
      '  return at.getTime();',
      '}',
      '',
    ].join('\n');
    expect(await lint(clean, domainPath)).toEqual([]);
  });

  it('lint - the same impure code outside the domain is not flagged by the purity rule', async () => {
    const code = [
      "import { readFileSync } from 'node:fs';",
      "import { connect } from 'nats';",
      "import { Counter } from 'prom-client';",
      'export const things = [readFileSync, connect, Counter, Date.now(), Math.random(), new Date(), process.env.HOME];',
      '',
    ].join('\n');
    const outside = await lint(code, runtimePath);
    expect(outside.filter((f) => f.ruleId !== null && purityRules.includes(f.ruleId))).toEqual([]);
    // The control: the very same text inside the domain trips every kind of restriction.
    const inside = new Set((await lint(code, domainPath)).map((f) => f.ruleId));
    expect([...inside].sort()).toEqual(purityRules.slice().sort());
  });
});
