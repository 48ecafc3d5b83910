// Worker bootstrap: lets a worker thread load the TypeScript sources (through tsx) when the
// engine runs from source, as it does under `npx onsale` and in tests.
import { workerData } from 'node:worker_threads';

if (workerData.entry.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.entry);
