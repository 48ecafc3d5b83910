// Every code of the product coordinators (120-149), and every code a performance returns about
// products, holdings and resale (83-84, 90-99), is expected somewhere in these product tests:
// this reads the test files as text and looks for a table line `expect: 'NAME'` or an assertion
// `expectCode(..., 'NAME')` (both assert the code, so a passing file has produced it; tests
// marked `it.fails`, which document bugs, do not count). A code
// that no test of a few seconds can reach is listed below with the reason, and must stay
// unreached here: once a test expects it, it comes off the list.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Code, type CodeName } from '../../src/domain/mod.ts';

const impractical: Partial<Record<CodeName, string>> = {};

const here = new URL('./', import.meta.url);
const files = readdirSync(here).filter((f) => f.endsWith('.test.ts') && f !== 'coverage.test.ts');
// An `it.fails` test runs to its closing line at the same indent ("  });"), and is left out.
const text = files.map((f) => readFileSync(new URL(f, here), 'utf8').replace(/^( *)it\.fails\([\s\S]*?\n\1\}\);/gm, '')).join('\n');
const expected = new Set([
  ...[...text.matchAll(/expect: '([A-Z_]+)'/g)].map((m) => m[1]),
  ...[...text.matchAll(/expectCode\([^\n]*?'([A-Z_]+)'\)/g)].map((m) => m[1]),
]);

const names = Object.keys(Code) as CodeName[];
const inScope = names.filter((n) => (Code[n] >= 120 && Code[n] <= 149) || (Code[n] >= 90 && Code[n] <= 99) || Code[n] === 83 || Code[n] === 84);

describe('products - coverage of the rejection codes', () => {
  it('reads the product test files', () => {
    expect(files.length).toBeGreaterThanOrEqual(7);
    expect(inScope.length).toBe(42);
  });

  it.each(inScope.filter((n) => impractical[n] === undefined))('%s is expected by some product test', (name) => {
    expect(expected.has(name), `no product test has expect: '${name}' or expectCode(..., '${name}')`).toBe(true);
  });

  it('lists as impractical only codes in scope that no test reaches', () => {
    for (const name of Object.keys(impractical)) {
      expect(inScope, name).toContain(name);
      expect(expected.has(name), `${name} is covered now: take it off the list`).toBe(false);
    }
  });

  it('expects only real codes', () => {
    for (const name of expected) expect([...names, 'OK'], name).toContain(name);
  });
});
