// The default bus: everything in this process, nothing to install. Not durable: the journal
// lives in memory (or, with `journalFile`, is appended to a local file that `onsale replay` can
// read), and this process owns every shard.
import { appendFileSync, readFileSync, existsSync, statSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import type { Bus, JournalEntry, Lease, LeaseEvents, SnapshotEntry } from './bus.ts';

export interface EmbeddedBusOptions {
  /** Keep journal records in memory so a shard can be recovered in this process (tests, replay). */
  keepJournal?: boolean;
  /**
   * Also append every record to this file: after an 8-byte header (`ONSALEJ2`), each record is a
   * frame of 4-byte shard, 4-byte length, 4-byte CRC-32 (of the shard, length and bytes), bytes;
   * a replay refuses a frame whose checksum fails. The file holds one engine run: a file that
   * already holds records is refused (this engine would number its records from 1 again, and a
   * replay would read two runs as one). Its first frame names the engine's shard count (shard
   * field 0xffffffff, a 4-byte count): a performance's shard depends on the count, so a replay
   * with another count would look for it on the wrong shard.
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
  /** Whether the journal file's header is written (with the first frame: the file is created as before). */
  private headerWritten = false;

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
    if (this.options.journalFile !== undefined) this.writeFrame(shard, bytes);
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
      this.writeFrame(SHARD_COUNT_FRAME, count);
    }
    for (let shard = 0; shard < shards; shard++) events.acquired({ shard, epoch: 1 });
  }

  /** This process is the only one: nobody could take a shard it hands back. */
  release(_shard: number, _lease: Lease): void {}

  async close(): Promise<void> {}

  private writeFrame(shard: number, bytes: Uint8Array): void {
    const out = frame(shard, bytes);
    // The header goes out with the first frame, in one write (the constructor refused a file holding anything).
    appendFileSync(this.options.journalFile!, this.headerWritten ? out : Buffer.concat([JOURNAL_FILE_HEADER, out]));
    this.headerWritten = true;
  }
}

/** The shard field of the frame that names the writer's shard count. */
const SHARD_COUNT_FRAME = 0xffffffff;

/**
 * The most shards a journal file may name or reach (the `onsale` commands' --shards bound): a
 * replay starts an engine of that many shards, and a count read from a damaged header (4 billion
 * shards from one changed byte) ran the process out of memory.
 */
export const journalFileShardsMax = 4_096;

/**
 * The first 8 bytes of a journal file whose frames carry a checksum. A file written before them
 * starts with a frame (a shard below 4,096, or the count frame's 0xffffffff): read as one, these
 * bytes name shard 0x4f4e5341, so no older file starts with them, nor within a few bits of them.
 */
const JOURNAL_FILE_HEADER = Buffer.from('ONSALEJ2', 'latin1');

/** Shard, length and checksum (uint32 BE each), before the record's bytes. */
const FRAME_HEADER = 12;

/** The checksum of a frame: over its shard and length fields (`head`, 8 bytes), then its bytes. */
function frameChecksum(head: Uint8Array, bytes: Uint8Array): number {
  return crc32(bytes, crc32(head));
}

function frame(shard: number, bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(FRAME_HEADER + bytes.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, shard);
  view.setUint32(4, bytes.length);
  view.setUint32(8, frameChecksum(out.subarray(0, 8), bytes));
  out.set(bytes, FRAME_HEADER);
  return out;
}

/**
 * A journal file: the shard count its writer named (null in files written before it was), its
 * records, and whether its frames carry checksums (false in files written before they did: a
 * damaged record there may read as another one, and cannot be told).
 */
export interface JournalFile {
  shards: number | null;
  records: { shard: number; seq: number; bytes: Uint8Array }[];
  checksums: boolean;
}

/** Reads a journal file written by an embedded bus: records in the order they were appended. */
export function readJournalFile(path: string): JournalFile {
  if (!existsSync(path)) throw new Error(`no journal file at ${path}`);
  const data = readFileSync(path);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const records: JournalFile['records'] = [];
  let shards: number | null = null;
  const seqs = new Map<number, number>();
  const checksums = data.length >= JOURNAL_FILE_HEADER.length && JOURNAL_FILE_HEADER.equals(data.subarray(0, JOURNAL_FILE_HEADER.length));
  // A header a few bits off is this format's, damaged (no older file starts near it, see above).
  if (!checksums && data.length >= JOURNAL_FILE_HEADER.length && bitsApart(data.subarray(0, JOURNAL_FILE_HEADER.length), JOURNAL_FILE_HEADER) <= 4) {
    throw new Error(`journal file ${path}: its header at byte 0 is not ${JOURNAL_FILE_HEADER.toString('latin1')} but a few bits off: the file is damaged`);
  }
  const head = checksums ? FRAME_HEADER : 8;
  let at = checksums ? JOURNAL_FILE_HEADER.length : 0;
  while (at + head <= data.length) {
    const shard = view.getUint32(at);
    const length = view.getUint32(at + 4);
    if (at + head + length > data.length) {
      throw new Error(checksums
        ? `journal file ${path}: the record at byte ${at} (shard ${shard}) runs ${at + head + length - data.length} bytes past the file's end: the file is cut short or damaged`
        : `journal file ${path} ends inside a record at byte ${at}`);
    }
    // Checked before anything the frame says is believed: a damaged shard or length is damage.
    if (checksums && frameChecksum(data.subarray(at, at + 8), data.subarray(at + head, at + head + length)) !== view.getUint32(at + 8)) {
      throw new Error(`journal file ${path}: the record at byte ${at} (shard ${shard}) fails its checksum: the file is damaged`);
    }
    if (shard === SHARD_COUNT_FRAME) {
      const count = length === 4 ? view.getUint32(at + head) : 0;
      if (count < 1 || count > journalFileShardsMax || (shards !== null && shards !== count)) throw new Error(`journal file ${path} names its shard count wrongly at byte ${at} (${count}; at most ${journalFileShardsMax})`);
      shards = count;
    } else {
      if (shards !== null && shard >= shards) throw new Error(`journal file ${path} has a record of shard ${shard}, outside its ${shards} shards`);
      if (shard >= journalFileShardsMax) throw new Error(`journal file ${path} has a record of shard ${shard} at byte ${at}, past the ${journalFileShardsMax} shards an engine runs`);
      const seq = (seqs.get(shard) ?? 0) + 1;
      seqs.set(shard, seq);
      records.push({ shard, seq, bytes: data.subarray(at + head, at + head + length) });
    }
    at += head + length;
  }
  // Fewer than a frame header's 8 bytes left over: a file cut short, or not a journal at all
  // (either would otherwise replay as fewer records, or none, and say nothing).
  if (at !== data.length) throw new Error(`journal file ${path} ends inside a record header at byte ${at} (${data.length - at} bytes left over)`);
  return { shards, records, checksums };
}

function bitsApart(a: Uint8Array, b: Uint8Array): number {
  let bits = 0;
  for (let i = 0; i < a.length; i++) for (let x = a[i]! ^ b[i]!; x !== 0; x &= x - 1) bits++;
  return bits;
}

/**
 * An embedded bus that holds a journal file's records, to rebuild from (`onsale replay
 * --journal`); the shard count the writer named (null in older files), the number of shards
 * the records reach (the highest shard + 1), and whether the file's frames carry checksums.
 */
export async function journalFileBus(path: string): Promise<{ bus: EmbeddedBus; shards: number | null; shardsReached: number; checksums: boolean }> {
  const bus = new EmbeddedBus({ keepJournal: true });
  const file = readJournalFile(path);
  let shardsReached = 0;
  for (const r of file.records) {
    await bus.append(r.shard, { shard: r.shard, epoch: 0 }, r.bytes);
    if (r.shard + 1 > shardsReached) shardsReached = r.shard + 1;
  }
  return { bus, shards: file.shards, shardsReached, checksums: file.checksums };
}
