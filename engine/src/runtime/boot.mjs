// Worker bootstrap. The entry is the runtime bundled by the main thread (worker-entry.ts), or,
// where it could not be bundled, worker.ts itself, loaded through tsx.
import { workerData } from 'node:worker_threads';

if (workerData.entry.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
} else {
  // The bundle carries an inline source map: stack traces then name the .ts files and lines.
  process.setSourceMapsEnabled(true);
}
await import(workerData.entry);
