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
   * records from 1 again, and a replay would read two runs as one). Its first frame names the
   * engine's shard count (shard field 0xffffffff, a 4-byte count): a performance's shard depends
   * on the count, so a replay with another count would look for it on the wrong shard.
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
    if (this.options.journalFile !== undefined) {
      const count = new Uint8Array(4);
      new DataView(count.buffer).setUint32(0, shards);
      appendFileSync(this.options.journalFile, frame(SHARD_COUNT_FRAME, count));
    }
    for (let shard = 0; shard < shards; shard++) events.acquired({ shard, epoch: 1 });
  }

  /** This process is the only one: nobody could take a shard it hands back. */
  release(_shard: number, _lease: Lease): void {}

  async close(): Promise<void> {}
}

/** The shard field of the frame that names the writer's shard count. */
const SHARD_COUNT_FRAME = 0xffffffff;

/**
 * The most shards a journal file may name or reach (the `onsale` commands' --shards bound): a
 * replay starts an engine of that many shards, and a count read from a damaged header (4 billion
 * shards from one changed byte) ran the process out of memory.
 */
export const journalFileShardsMax = 4_096;

function frame(shard: number, bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + bytes.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, shard);
  view.setUint32(4, bytes.length);
  out.set(bytes, 8);
  return out;
}

/** A journal file: the shard count its writer named (null in files written before it was), and its records. */
export interface JournalFile {
  shards: number | null;
  records: { shard: number; seq: number; bytes: Uint8Array }[];
}

/** Reads a journal file written by an embedded bus: records in the order they were appended. */
export function readJournalFile(path: string): JournalFile {
  if (!existsSync(path)) throw new Error(`no journal file at ${path}`);
  const data = readFileSync(path);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const records: JournalFile['records'] = [];
  let shards: number | null = null;
  const seqs = new Map<number, number>();
  let at = 0;
  while (at + 8 <= data.length) {
    const shard = view.getUint32(at);
    const length = view.getUint32(at + 4);
    if (at + 8 + length > data.length) throw new Error(`journal file ${path} ends inside a record at byte ${at}`);
    if (shard === SHARD_COUNT_FRAME) {
      const count = length === 4 ? view.getUint32(at + 8) : 0;
      if (count < 1 || count > journalFileShardsMax || (shards !== null && shards !== count)) throw new Error(`journal file ${path} names its shard count wrongly at byte ${at} (${count}; at most ${journalFileShardsMax})`);
      shards = count;
    } else {
      if (shards !== null && shard >= shards) throw new Error(`journal file ${path} has a record of shard ${shard}, outside its ${shards} shards`);
      if (shard >= journalFileShardsMax) throw new Error(`journal file ${path} has a record of shard ${shard} at byte ${at}, past the ${journalFileShardsMax} shards an engine runs`);
      const seq = (seqs.get(shard) ?? 0) + 1;
      seqs.set(shard, seq);
      records.push({ shard, seq, bytes: data.subarray(at + 8, at + 8 + length) });
    }
    at += 8 + length;
  }
  // Fewer than a frame header's 8 bytes left over: a file cut short, or not a journal at all
  // (either would otherwise replay as fewer records, or none, and say nothing).
  if (at !== data.length) throw new Error(`journal file ${path} ends inside a record header at byte ${at} (${data.length - at} bytes left over)`);
  return { shards, records };
}

/**
 * An embedded bus that holds a journal file's records, to rebuild from (`onsale replay
 * --journal`); the shard count the writer named (null in older files), and the number of shards
 * the records reach (the highest shard + 1).
 */
export async function journalFileBus(path: string): Promise<{ bus: EmbeddedBus; shards: number | null; shardsReached: number }> {
  const bus = new EmbeddedBus({ keepJournal: true });
  const file = readJournalFile(path);
  let shardsReached = 0;
  for (const r of file.records) {
    await bus.append(r.shard, { shard: r.shard, epoch: 0 }, r.bytes);
    if (r.shard + 1 > shardsReached) shardsReached = r.shard + 1;
  }
  return { bus, shards: file.shards, shardsReached };
}
