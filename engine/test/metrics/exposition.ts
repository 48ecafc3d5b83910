// A reader for the Prometheus text format, enough for the tests to ask "what is the value of
// this series" instead of matching substrings (which would pass on `..._total{...} 10` when 1
// was expected, or on a HELP line).

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  samples: Sample[];
  /** `# TYPE` per metric family. */
  types: Map<string, string>;
}

const sampleLine = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: \d+)?$/;
const labelPair = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ')) continue;
    if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ');
      types.set(name, type);
      continue;
    }
    const match = sampleLine.exec(line);
    if (match === null) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, raw] of (match[2] ?? '').matchAll(labelPair)) labels[key] = raw.replace(/\\n/g, '\n').replace(/\\(.)/g, '$1');
    samples.push({ name: match[1], labels, value: parseValue(match[3]) });
  }
  return { samples, types };
}

function parseValue(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN' || text === 'Nan') return NaN;
  const value = Number(text);
  if (Number.isNaN(value)) throw new Error(`not a sample value: ${text}`);
  return value;
}

/** Samples of `name` whose labels include every pair in `labels`. */
export function samplesOf(exposition: Exposition, name: string, labels: Record<string, string> = {}): Sample[] {
  return exposition.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

/** The one sample of `name` with exactly these labels (plus none other); undefined when absent. */
export function valueOf(exposition: Exposition, name: string, labels: Record<string, string> = {}): number | undefined {
  const want = Object.keys(labels).length;
  const hits = samplesOf(exposition, name, labels).filter((s) => Object.keys(s.labels).length === want);
  if (hits.length > 1) throw new Error(`${hits.length} samples of ${name} ${JSON.stringify(labels)}`);
  return hits[0]?.value;
}

/** Every sample of `name` keyed by the values of `labels`, space-separated: { 'holdSeats OK': 2 }. */
/**
 * The counts of onsale_commands_total that moved, by "type code": the series of the refusals
 * alerts watch start at 0 for every type (engine-metrics.ts watchedCodes), and are left out.
 */
export function commandsCounted(exposition: Exposition): Record<string, number> {
  return Object.fromEntries(Object.entries(labelled(exposition, 'onsale_commands_total', 'type', 'code')).filter(([, n]) => n !== 0));
}

export function labelled(exposition: Exposition, name: string, ...labels: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samplesOf(exposition, name)) {
    const key = labels.map((l) => s.labels[l]).join(' ');
    if (key in out) throw new Error(`two samples of ${name} for ${key}`);
    out[key] = s.value;
  }
  return out;
}
