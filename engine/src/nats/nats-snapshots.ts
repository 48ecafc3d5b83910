// Shard snapshots in a JetStream Object Store: one object per shard, replaced whole by each save.
// The object store chunks what it stores, so a snapshot may be far larger than max_payload. The
// journal seq rides in the object's metadata, written in the same meta record as the object's
// digest, so a loaded snapshot and its seq always belong together.
import { StorageType, type JetStreamClient, type ObjectStore } from 'nats';
import type { SnapshotEntry } from '../runtime/bus.ts';

export class NatsSnapshots {
  private constructor(private readonly store: ObjectStore) {}

  static async open(js: JetStreamClient, bucket: string): Promise<NatsSnapshots> {
    return new NatsSnapshots(await js.views.os(bucket, { storage: StorageType.File }));
  }

  async save(shard: number, snapshot: SnapshotEntry): Promise<void> {
    await this.store.putBlob({ name: objectName(shard), metadata: { seq: String(snapshot.seq) } }, snapshot.bytes);
  }

  async load(shard: number): Promise<SnapshotEntry | null> {
    const name = objectName(shard);
    // get() pairs the bytes with the info they were read under; info() then getBlob() could
    // straddle a save and pair one snapshot's seq with the next one's bytes.
    const result = await this.store.get(name);
    if (result === null || result.info.deleted) return null;
    const seq = Number(result.info.metadata?.seq);
    const bytes = await readAll(result.data);
    const error = await result.error;
    if (error instanceof Error) throw new Error(`snapshot ${name} could not be read: ${error.message}`);
    if (!Number.isSafeInteger(seq) || seq < 0) throw new Error(`snapshot ${name} has no journal seq in its metadata`);
    return { seq, bytes };
  }
}

function objectName(shard: number): string {
  return `shard-${shard}`;
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    length += value.length;
  }
  const bytes = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return bytes;
}
