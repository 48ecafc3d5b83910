// Every code a command or createPerformance can return is expected somewhere in the scenario
// tables: this reads the scenario files as text and looks for `expect: 'NAME'` on a table line.
// Layout codes belong to compileLayout (engine/test/layout.test.ts). A bound that cannot be
// reached in a test of a few seconds is listed below with the reason, and must stay unreached
// here: once a table expects it, it comes off the list.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Code, type CodeName } from '../../src/domain/mod.ts';

const impractical: Partial<Record<CodeName, string>> = {
  BUYERS_LIMIT_REACHED: 'needs 2,000,000 buyers with a live hold or a ticket: millions of commands and gigabytes of state',
};

const here = new URL('./', import.meta.url);
const files = readdirSync(here).filter((f) => f.endsWith('.test.ts') && f !== 'coverage.test.ts');
const text = files.map((f) => readFileSync(new URL(f, here), 'utf8')).join('\n');
const expected = new Set([...text.matchAll(/expect: '([A-Z_]+)'/g)].map((m) => m[1]));

const names = Object.keys(Code) as CodeName[];
// Codes 100-119 belong to the runtime (engine/test/runtime/ covers them), and 120-149 to the
// product coordinators (their own tests), except the four a performance returns to a
// coordinator: a link too late or twice, an unlink after sales, and a coordinator's step sent
// by someone else. 150-159 are a performance's again (quotas, hard tickets, blocks); 160-169
// answer binary batches and sessions (engine/test/binary/sessions.test.ts covers them).
const fromPerformance: readonly CodeName[] = ['PRODUCT_LINK_TOO_LATE', 'PRODUCT_ALREADY_LINKED', 'PRODUCT_HAS_SALES', 'PRODUCT_STEP_ONLY'];
const inScope = names.filter((n) => n !== 'OK' && !n.startsWith('LAYOUT_') && (Code[n] < 100 || (Code[n] >= 150 && Code[n] < 160) || fromPerformance.includes(n)));

describe('scenarios - coverage of the rejection codes', () => {
  it('reads the scenario files', () => {
    expect(files.length).toBeGreaterThanOrEqual(7);
  });

  it.each(inScope.filter((n) => impractical[n] === undefined))('%s is expected by some table', (name) => {
    expect(expected.has(name), `no scenario line has expect: '${name}'`).toBe(true);
  });

  it('lists as impractical only real codes that no table reaches', () => {
    for (const name of Object.keys(impractical)) {
      expect(inScope, name).toContain(name);
      expect(expected.has(name), `${name} is covered now: take it off the list`).toBe(false);
    }
  });

  it('expects only real codes', () => {
    for (const name of expected) expect(names, name).toContain(name);
  });
});
