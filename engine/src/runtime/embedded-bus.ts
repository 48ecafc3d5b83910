// The default bus: everything in this process, nothing to install. Not durable: the journal
// lives in memory (or, with `journalFile`, is appended to a local file that `onsale replay` can
// read), and this process owns every shard.
import { appendFileSync, readFileSync, existsSync, statSync } from 'node:fs';
import type { Bus, JournalEntry, Lease, LeaseEvents, SnapshotEntry } from './bus.ts';

export interface EmbeddedBusOptions {
  /** Keep journal records in memory so a shard can be recovered in this process (tests, replay). */
  keepJournal?: boolean;
  /**
   * Also append every record to this file: 4-byte shard, 4-byte length, bytes. The file holds
   * one engine run: a file that already holds records is refused (this engine would number its
   * records from 1 again, and a replay would read two runs as one).
   */
  journalFile?: string;
}

export class EmbeddedBus implements Bus {
  readonly kind = 'embedded' as const;
  readonly durable = false;
  readonly recoversFromSnapshots: boolean;
  private readonly journal = new Map<number, JournalEntry[]>();
  private readonly seqs = new Map<number, number>();
  private readonly snapshots = new Map<number, SnapshotEntry>();

  constructor(private readonly options: EmbeddedBusOptions = {}) {
    // A journal file is read back by `onsale replay` from its start, never by this engine.
    this.recoversFromSnapshots = options.keepJournal === true;
    const file = options.journalFile;
    if (file !== undefined && existsSync(file) && statSync(file).size > 0) {
      throw new Error(`journal file ${file} already holds a run's records; give a new path (or remove it)`);
    }
  }

  async append(shard: number, _lease: Lease, bytes: Uint8Array): Promise<number> {
    const seq = (this.seqs.get(shard) ?? 0) + 1;
    this.seqs.set(shard, seq);
    if (this.options.keepJournal === true) {
      let entries = this.journal.get(shard);
      if (entries === undefined) this.journal.set(shard, (entries = []));
      entries.push({ seq, bytes });
    }
    if (this.options.journalFile !== undefined) appendFileSync(this.options.journalFile, frame(shard, bytes));
    return seq;
  }

  async read(shard: number, afterSeq: number, each: (entry: JournalEntry) => void): Promise<number> {
    let last = afterSeq;
    for (const entry of this.journal.get(shard) ?? []) {
      if (entry.seq <= afterSeq) continue;
      each(entry);
      last = entry.seq;
    }
    return last;
  }

  async saveSnapshot(shard: number, snapshot: SnapshotEntry): Promise<void> {
    this.snapshots.set(shard, snapshot);
  }

  async loadSnapshot(shard: number): Promise<SnapshotEntry | null> {
    return this.snapshots.get(shard) ?? null;
  }

  async startLeases(shards: number, events: LeaseEvents): Promise<void> {
    for (let shard = 0; shard < shards; shard++) events.acquired({ shard, epoch: 1 });
  }

  /** This process is the only one: nobody could take a shard it hands back. */
  release(_shard: number, _lease: Lease): void {}

  async close(): Promise<void> {}
}

function frame(shard: number, bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + bytes.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, shard);
  view.setUint32(4, bytes.length);
  out.set(bytes, 8);
  return out;
}

/** Reads a journal file written by an embedded bus: records in the order they were appended. */
export function readJournalFile(path: string): { shard: number; seq: number; bytes: Uint8Array }[] {
  if (!existsSync(path)) throw new Error(`no journal file at ${path}`);
  const data = readFileSync(path);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const records: { shard: number; seq: number; bytes: Uint8Array }[] = [];
  const seqs = new Map<number, number>();
  for (let at = 0; at + 8 <= data.length;) {
    const shard = view.getUint32(at);
    const length = view.getUint32(at + 4);
    if (at + 8 + length > data.length) throw new Error(`journal file ${path} ends inside a record at byte ${at}`);
    const seq = (seqs.get(shard) ?? 0) + 1;
    seqs.set(shard, seq);
    records.push({ shard, seq, bytes: data.subarray(at + 8, at + 8 + length) });
    at += 8 + length;
  }
  return records;
}

/**
 * An embedded bus that holds a journal file's records, to rebuild from (`onsale replay
 * --journal`), and the number of shards the records name.
 */
export async function journalFileBus(path: string): Promise<{ bus: EmbeddedBus; shards: number }> {
  const bus = new EmbeddedBus({ keepJournal: true });
  let shards = 0;
  for (const r of readJournalFile(path)) {
    await bus.append(r.shard, { shard: r.shard, epoch: 0 }, r.bytes);
    if (r.shard + 1 > shards) shards = r.shard + 1;
  }
  return { bus, shards };
}
