// Every code of the runtime (100-119; 120-139 are the product coordinators', covered by
// engine/test/products/coverage.test.ts) is expected somewhere: this reads the runtime test files
// as text and looks for `expectCode(..., 'NAME')` lines. A code that only a test elsewhere can
// reach (say, one that needs a real NATS server) is listed below with that file; once a runtime
// test here expects it, it comes off the list. REPLY_TOO_LARGE is a NATS reply's (the embedded
// bus has no messages to outgrow). JOURNAL_FAILED, once only in the NATS engine tests, is
// expected by rules-router.test.ts too.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Code, type CodeName } from '../../src/domain/mod.ts';

const elsewhere: Partial<Record<CodeName, string>> = { REPLY_TOO_LARGE: 'engine/test/nats/reply-size.test.ts' };

const here = new URL('./', import.meta.url);
const root = new URL('../../../', import.meta.url);
const files = readdirSync(here).filter((f) => f.endsWith('.test.ts') && f !== 'coverage.test.ts');
const lines = files.flatMap((f) => readFileSync(new URL(f, here), 'utf8').split('\n')).filter((line) => line.includes('expectCode('));
const expected = new Set(lines.flatMap((line) => [...line.matchAll(/'([A-Z][A-Z_]+)'\)/g)].map((m) => m[1])));

const names = Object.keys(Code) as CodeName[];
const runtimeCodes = names.filter((n) => Code[n] >= 100 && Code[n] <= 119);

describe('runtime - coverage of the rejection codes', () => {
  it('reads the runtime test files', () => {
    expect(files.length).toBeGreaterThanOrEqual(8);
    expect(runtimeCodes.length).toBeGreaterThanOrEqual(7);
  });

  it.each(runtimeCodes.filter((n) => elsewhere[n] === undefined))('%s is expected by a runtime test', (name) => {
    expect(expected.has(name), `no runtime test has expectCode(..., '${name}')`).toBe(true);
  });

  it('lists as covered elsewhere only runtime codes that no runtime test expects', () => {
    for (const name of Object.keys(elsewhere)) {
      expect(runtimeCodes, name).toContain(name);
      expect(expected.has(name), `${name} is expected here now: take it off the list`).toBe(false);
    }
  });

  for (const file of new Set(Object.values(elsewhere))) {
    it.skipIf(!existsSync(new URL(file, root)))(`the codes listed for ${file} are expected there`, () => {
      const text = readFileSync(new URL(file, root), 'utf8');
      for (const [name, where] of Object.entries(elsewhere)) {
        // As an assertion's value: toBe('NAME') or expectCode(result, 'NAME').
        if (where === file) expect(text, `${file} never expects ${name}`).toMatch(new RegExp(`(?:toBe\\(|, )'${name}'\\)`));
      }
    });
  }

  it('expects only real codes', () => {
    for (const name of expected) expect(names, name).toContain(name);
  });
});
