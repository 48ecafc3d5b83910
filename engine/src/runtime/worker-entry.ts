// What a shard worker thread loads. The engine runs from its TypeScript sources (`npx onsale`,
// tests, benchmarks), and a worker that loaded them through tsx spent about 100 ms registering
// the loader and 120 ms more compiling the runtime, each worker for itself. On 16 cores the 16
// workers of a start took about 640 ms to serve their first shard, a third of the 2-second
// recovery bound (bench/RESULTS.md, session 27). Instead the main thread bundles worker.ts once
// per process with esbuild (the compiler tsx itself runs on) and every worker imports plain
// JavaScript: about 40 ms each.
//
// The bundle goes to node_modules/.cache/onsale/, named by a hash of its contents: processes
// built from the same sources share one file, and an edited source gives a new name, never a
// stale file. It stays inside node_modules so that the packages it leaves out (msgpackr and the
// rest) resolve as they do for the sources. Where the bundle cannot be made (esbuild missing, the
// folder read-only) the workers load the sources through tsx, as before; ONSALE_WORKER_LOADER=tsx
// asks for that path (a debugger that wants the sources as files, say).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { threadId } from 'node:worker_threads';

export type WorkerLoader = 'bundle' | 'tsx';

export interface WorkerEntry {
  /** The module the worker's boot.mjs imports (a file URL). */
  url: string;
  loader: WorkerLoader;
  /** Why the bundle was not used, when it was not. */
  fallback: string | null;
}

const sourceEntry = new URL('./worker.ts', import.meta.url);
/**
 * Bundles older than this, other than the one in use, are removed from the cache folder. One in
 * use by a long-running process may go too: that process writes it again before it starts a
 * worker (ensureWorkerEntry), from the copy it keeps.
 */
const staleAfterMs = 7 * 24 * 3_600_000;
/** Parent folders searched for node_modules (the depth of a deep install, with room to spare). */
const searchDepthMax = 32;

let built: Promise<WorkerEntry> | null = null;
/** The bundle this process made, by its path, to write it again if it is removed meanwhile. */
const written = new Map<string, Uint8Array>();

/** The worker's entry for this process: bundled once, then the same for every engine started. */
export function workerEntry(loader: WorkerLoader = process.env.ONSALE_WORKER_LOADER === 'tsx' ? 'tsx' : 'bundle'): Promise<WorkerEntry> {
  if (loader === 'tsx') return Promise.resolve({ url: sourceEntry.href, loader: 'tsx', fallback: null });
  built ??= bundle().catch((error: Error) => ({ url: sourceEntry.href, loader: 'tsx' as const, fallback: error.message }));
  return built;
}

async function bundle(): Promise<WorkerEntry> {
  const cacheDir = join(nodeModulesOf(fileURLToPath(sourceEntry)), '.cache', 'onsale');
  const outfile = join(cacheDir, 'worker.mjs');
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [fileURLToPath(sourceEntry)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    // Stack traces of an actor that throws name the .ts files (boot.mjs turns source maps on).
    sourcemap: 'inline',
    sourcesContent: false,
    outfile,
    write: false,
    logLevel: 'silent',
  });
  const text = result.outputFiles[0].contents;
  const name = `worker-${createHash('sha256').update(text).digest('hex').slice(0, 16)}.mjs`;
  const file = join(cacheDir, name);
  written.set(file, text);
  ensureWritten(file);
  removeStale(cacheDir, name);
  return { url: pathToFileURL(file).href, loader: 'bundle', fallback: null };
}

/**
 * Before a worker starts (at start, or replacing one that died): the bundle is there. Another
 * process may have removed it as stale while this one ran for days (removeStale).
 */
export function ensureWorkerEntry(url: string): void {
  if (!url.startsWith('file:') || url.endsWith('.ts')) return;
  const file = fileURLToPath(url);
  if (written.has(file)) ensureWritten(file);
}

function ensureWritten(file: string): void {
  if (existsSync(file)) return;
  mkdirSync(dirname(file), { recursive: true });
  // Written whole under another name, then renamed: a process starting at the same moment never
  // imports half a file.
  // The name is this thread's own: engines may start in several threads of one process at once.
  const partial = join(dirname(file), `.${basename(file)}.${process.pid}-${threadId}.partial`);
  writeFileSync(partial, written.get(file)!);
  renameSync(partial, file);
}

/** The node_modules folder the sources' packages resolve from: the nearest one holding msgpackr. */
function nodeModulesOf(path: string): string {
  let dir = dirname(path);
  for (let i = 0; i < searchDepthMax; i++) {
    const candidate = join(dir, 'node_modules');
    if (existsSync(join(candidate, 'msgpackr'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(`no node_modules with msgpackr above ${path}`);
}

function removeStale(cacheDir: string, keep: string): void {
  const now = Date.now();
  for (const entry of readdirSync(cacheDir)) {
    if (entry === keep || !(entry.startsWith('worker-') || entry.endsWith('.partial'))) continue;
    const file = join(cacheDir, entry);
    try {
      if (now - statSync(file).mtimeMs > staleAfterMs) unlinkSync(file);
    } catch {
      // Removed by another process meanwhile, or not ours to remove: either way nothing to do.
    }
  }
}
