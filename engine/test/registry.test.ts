// The rejection registry and its documentation are kept equal in both directions: every code
// in `Code` has a row in engine/docs/REJECTIONS.md with the same number and name, every row
// names a real code, and each row sits under the range heading that codes.ts declares for it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Code, codeName, reject, type CodeName } from '../src/domain/codes.ts';

const docText = readFileSync(new URL('../docs/REJECTIONS.md', import.meta.url), 'utf8');
const codesSource = readFileSync(new URL('../src/domain/codes.ts', import.meta.url), 'utf8');

interface Row { line: number; code: number; name: string; meaning: string; range: Range | null }
interface Range { lo: number; hi: number; title: string }

const tableHeader = /^\|\s*code\s*\|\s*name\s*\|\s*meaning\s*\|\s*$/;
const separator = /^\|(\s*:?-+:?\s*\|)+\s*$/;
const codeRow = /^\|\s*(\d+)\s*\|\s*`?([A-Z][A-Z0-9_]*)`?\s*\|(.*)\|\s*$/;
const rangeHeading = /^#{2,3}\s+(\d+)-(\d+):\s*(.+?)\.?\s*$/;
const rangeComment = /^\s*\/\/\s*(\d+)-(\d+):\s*(.+?)\.?\s*$/;

/**
 * Every row of every `| code | name | meaning |` table. A line inside such a table that is not a
 * well-formed row is an error, so a typo cannot hide a code from the checks below.
 */
function parseRegistry(text: string): { rows: Row[]; errors: string[] } {
  const rows: Row[] = [];
  const errors: string[] = [];
  let range: Range | null = null;
  let inTable = false;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trimEnd();
    const heading = rangeHeading.exec(line);
    if (heading !== null) range = { lo: Number(heading[1]), hi: Number(heading[2]), title: heading[3] };
    else if (line.startsWith('#')) range = null;
    if (!line.startsWith('|')) {
      inTable = false;
      return;
    }
    if (tableHeader.test(line)) {
      inTable = true;
      return;
    }
    if (!inTable || separator.test(line)) return;
    const match = codeRow.exec(line);
    if (match === null) {
      errors.push(`line ${i + 1} is not a "| code | name | meaning |" row: ${line}`);
      return;
    }
    rows.push({ line: i + 1, code: Number(match[1]), name: match[2], meaning: match[3].trim(), range });
  });
  return { rows, errors };
}

function declaredRanges(source: string): Range[] {
  const ranges: Range[] = [];
  for (const line of source.split('\n')) {
    const match = rangeComment.exec(line);
    if (match !== null) ranges.push({ lo: Number(match[1]), hi: Number(match[2]), title: match[3] });
  }
  return ranges;
}

const { rows, errors } = parseRegistry(docText);
const codeNames = (Object.keys(Code) as CodeName[]).filter((name) => name !== 'OK');

describe('registry', () => {
  it('registry - the document parses and has rows', () => {
    expect(errors).toEqual([]);
    // A parser that silently found nothing would make every check below pass vacuously.
    expect(rows.length).toBeGreaterThan(0);
  });

  it('registry - every code is documented with its number and name', () => {
    const byName = new Map(rows.map((row) => [row.name, row]));
    const missing = codeNames.filter((name) => !byName.has(name));
    expect(missing, 'codes without a row in REJECTIONS.md').toEqual([]);
    for (const name of codeNames) {
      expect(byName.get(name)?.code, `number of ${name}`).toBe(Code[name]);
    }
  });

  it('registry - every documented row exists in Code', () => {
    for (const row of rows) {
      expect(codeNames, `line ${row.line}: ${row.name} is not in Code`).toContain(row.name);
      expect(Code[row.name as CodeName], `line ${row.line}: number of ${row.name}`).toBe(row.code);
    }
    expect(rows.length).toBe(codeNames.length);
  });

  it('registry - OK is not documented as a rejection', () => {
    expect(rows.filter((row) => row.code === Code.OK || row.name === 'OK')).toEqual([]);
  });

  it('registry - every meaning is a sentence', () => {
    for (const row of rows) {
      expect(row.meaning.length, `line ${row.line}: ${row.name} has no meaning`).toBeGreaterThan(10);
      expect(row.meaning, `line ${row.line}: ${row.name} meaning ends with a period`).toMatch(/\.$/);
    }
  });

  it('registry - numbers and names are unique', () => {
    const numbers = rows.map((row) => row.code);
    const names = rows.map((row) => row.name);
    expect(new Set(numbers).size).toBe(numbers.length);
    expect(new Set(names).size).toBe(names.length);
    const codeNumbers = Object.values(Code);
    expect(new Set(codeNumbers).size).toBe(codeNumbers.length);
  });

  it('registry - rows are grouped under the ranges codes.ts declares', () => {
    const declared = declaredRanges(codesSource);
    expect(declared.length).toBeGreaterThan(0);
    const headings = new Map<string, Range>();
    for (const row of rows) {
      expect(row.range, `line ${row.line}: ${row.name} is not under a "## lo-hi: title" heading`).not.toBeNull();
      const range = row.range as Range;
      headings.set(`${range.lo}-${range.hi}`, range);
      expect(row.code >= range.lo && row.code <= range.hi, `line ${row.line}: ${row.code} is outside ${range.lo}-${range.hi}`).toBe(true);
    }
    expect([...headings.values()]).toEqual(declared);
    for (const name of codeNames) {
      expect(declared.some((r) => Code[name] >= r.lo && Code[name] <= r.hi), `${name} lies in no declared range`).toBe(true);
    }
  });

  it('registry - codeName and reject agree with Code', () => {
    for (const name of codeNames) {
      expect(codeName(Code[name])).toBe(name);
      expect(reject(name as Exclude<CodeName, 'OK'>, 'f', 'm')).toEqual({ ok: false, code: Code[name], name, field: 'f', message: 'm' });
    }
    expect(codeName(0)).toBe('OK');
    expect(() => codeName(9_999)).toThrow();
  });
});
