// The journal file's checksums (`onsale simulate --journal-out`, read by `onsale replay
// --journal`). Found by a probe: the frames had none, and of 40 one-bit flips in record bodies of
// a 300-buyer run's file, 16 replayed with exit code 0 and another summary (`requestNo` read as
// `raquestNo`: sold 25 instead of 684). Now the file starts with a header, every frame carries a
// CRC-32 of its shard, length and bytes, and a flipped bit anywhere is refused at its frame's byte;
// a file from before (no header) still reads, and says it cannot tell damage.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EmbeddedBus, readJournalFile } from '../../src/runtime/mod.ts';
import { onsale } from '../cli/helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'onsale-journal-crc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HEADER = 8;
const FRAME_HEADER = 12;
const COUNT_FRAME = 0xffffffff;

/** A seeded generator (mulberry32): the same flips on every run. */
function seeded(seed: number): (below: number) => number {
  let a = seed >>> 0;
  return (below) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296 * below) | 0;
  };
}

/** The records a small journal is written with: two shards, lengths 1 to 40. */
const written: { shard: number; bytes: Uint8Array }[] = [];
{
  const next = seeded(7);
  for (let i = 0; i < 8; i++) written.push({ shard: i % 2, bytes: Uint8Array.from({ length: 1 + next(40) }, () => next(256)) });
}

async function writeJournal(file: string): Promise<void> {
  const bus = new EmbeddedBus({ journalFile: file });
  await bus.startLeases(2, { acquired: () => {}, lost: () => {} });
  for (const { shard, bytes } of written) await bus.append(shard, { shard, epoch: 1 }, bytes);
}

/** Where each frame of a checksummed file starts, its shard and its length. */
function framesOf(data: Buffer): { at: number; shard: number; length: number }[] {
  const frames = [];
  for (let at = HEADER; at < data.length; at += FRAME_HEADER + data.readUInt32BE(at + 4)) frames.push({ at, shard: data.readUInt32BE(at), length: data.readUInt32BE(at + 4) });
  return frames;
}

/** What readJournalFile says of `data` with the bit `bit` of byte `byte` flipped, in frame `f`. */
function expectedRefusal(file: string, data: Buffer, f: { at: number; shard: number; length: number }, byte: number, bit: number): string {
  const flipped = Buffer.from(data);
  flipped[byte]! ^= 1 << bit;
  const shard = flipped.readUInt32BE(f.at);
  const past = f.at + FRAME_HEADER + flipped.readUInt32BE(f.at + 4) - data.length;
  if (past > 0) return `journal file ${file}: the record at byte ${f.at} (shard ${shard}) runs ${past} bytes past the file's end: the file is cut short or damaged`;
  return `journal file ${file}: the record at byte ${f.at} (shard ${shard}) fails its checksum: the file is damaged`;
}

function refusalOf(file: string): string {
  try {
    readJournalFile(file);
  } catch (error) {
    return (error as Error).message;
  }
  return 'read without a refusal';
}

describe('runtime - journal file checksums', () => {
  it('a file reads back the records written, with the shard count, and is the same bytes for the same records', async () => {
    const file = join(dir, 'clean.journal');
    await writeJournal(file);
    const read = readJournalFile(file);
    expect(read.checksums).toBe(true);
    expect(read.shards).toBe(2);
    const seqs = [0, 0];
    expect(read.records.map((r) => ({ shard: r.shard, seq: r.seq, bytes: [...r.bytes] }))).toEqual(written.map(({ shard, bytes }) => ({ shard, seq: ++seqs[shard]!, bytes: [...bytes] })));

    // Deterministic, pinned: the header, then the count frame with its CRC-32, as written today.
    const data = readFileSync(file);
    expect(data.subarray(0, HEADER + FRAME_HEADER + 4).toString('hex')).toBe('4f4e53414c454a32' + 'ffffffff' + '00000004' + 'e4713813' + '00000002');
    const again = join(dir, 'again.journal');
    await writeJournal(again);
    expect(readFileSync(again).equals(data)).toBe(true);
  });

  it('refuses a flipped bit in every frame, in its shard, length, checksum and bytes, naming the frame\'s byte', async () => {
    const file = join(dir, 'source.journal');
    await writeJournal(file);
    const data = readFileSync(file);
    const frames = framesOf(data);
    expect(frames.map((f) => f.shard)).toEqual([COUNT_FRAME, ...written.map((w) => w.shard)]);
    const next = seeded(2026);
    const damaged = join(dir, 'damaged.journal');
    let checked = 0;
    for (const f of frames) {
      for (const [from, to] of [[0, 4], [4, 8], [8, 12], [FRAME_HEADER, FRAME_HEADER + f.length]] as const) {
        for (let k = 0; k < 3; k++) {
          const byte = f.at + from + next(to - from);
          const bit = next(8);
          const flipped = Buffer.from(data);
          flipped[byte]! ^= 1 << bit;
          writeFileSync(damaged, flipped);
          expect(refusalOf(damaged), `byte ${byte} bit ${bit}`).toBe(expectedRefusal(damaged, data, f, byte, bit));
          checked++;
        }
      }
    }
    expect(checked).toBe(frames.length * 4 * 3);
  });

  it('refuses every one-bit flip in the header and the first frames: in a frame at that frame\'s byte, in the header at byte 0', async () => {
    const file = join(dir, 'every.journal');
    await writeJournal(file);
    const data = readFileSync(file);
    const frames = framesOf(data);
    const damaged = join(dir, 'every-damaged.journal');
    // Every bit of the header, the count frame and two records (the seeded test above covers every frame).
    for (let byte = 0; byte < frames[3]!.at; byte++) {
      const f = frames.filter((x) => x.at <= byte).at(-1);
      for (let bit = 0; bit < 8; bit++) {
        const flipped = Buffer.from(data);
        flipped[byte]! ^= 1 << bit;
        writeFileSync(damaged, flipped);
        const expected = f === undefined
          ? `journal file ${damaged}: its header at byte 0 is not ONSALEJ2 but a few bits off: the file is damaged`
          : expectedRefusal(damaged, data, f, byte, bit);
        expect(refusalOf(damaged), `byte ${byte} bit ${bit}`).toBe(expected);
      }
    }
  });

  it('reads a file written before checksums (no header, 8-byte frames) as before, and says it has none', () => {
    const frame = (shard: number, bytes: Uint8Array): Buffer => {
      const head = Buffer.alloc(8);
      head.writeUInt32BE(shard, 0);
      head.writeUInt32BE(bytes.length, 4);
      return Buffer.concat([head, bytes]);
    };
    const count = Buffer.alloc(4);
    count.writeUInt32BE(2, 0);
    const file = join(dir, 'old.journal');
    writeFileSync(file, Buffer.concat([frame(COUNT_FRAME, count), ...written.map((w) => frame(w.shard, w.bytes))]));
    const read = readJournalFile(file);
    expect(read.checksums).toBe(false);
    expect(read.shards).toBe(2);
    expect(read.records.map((r) => [r.shard, [...r.bytes]])).toEqual(written.map((w) => [w.shard, [...w.bytes]]));
    // Cut short, it is refused as before.
    writeFileSync(file, frame(0, new Uint8Array([1, 2, 3])).subarray(0, 10));
    expect(refusalOf(file)).toBe(`journal file ${file} ends inside a record at byte 0`);
  });
});

describe('cli - onsale replay --journal, a damaged file', () => {
  it('a flipped bit in a record is refused in one line, exit code 1, nothing replayed; a file from before checksums replays with a note', async () => {
    const file = join(dir, 'run.journal');
    const run = await onsale(['simulate', '--buyers', '50', '--journal-out', file]);
    expect(run.code, run.stderr).toBe(0);
    const data = readFileSync(file);
    const frames = framesOf(data);
    // A bit in the bytes of the first record past the count frame.
    const f = frames[1]!;
    const flipped = Buffer.from(data);
    flipped[f.at + FRAME_HEADER + 5]! ^= 0x04;
    const damaged = join(dir, 'run-damaged.journal');
    writeFileSync(damaged, flipped);
    const r = await onsale(['replay', '--journal', damaged]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`onsale: cannot replay ${damaged}: journal file ${damaged}: the record at byte ${f.at} (shard ${f.shard}) fails its checksum: the file is damaged\n`);
    expect(r.stdout).toBe('');

    // The same records without header and checksums (as written before them): replayed, with the note.
    const old = join(dir, 'run-old.journal');
    writeFileSync(old, Buffer.concat(frames.map((x) => Buffer.concat([data.subarray(x.at, x.at + 8), data.subarray(x.at + FRAME_HEADER, x.at + FRAME_HEADER + x.length)]))));
    const [now, before] = [await onsale(['replay', '--journal', file, '--json']), await onsale(['replay', '--journal', old, '--json'])];
    expect(now.code, now.stderr).toBe(0);
    expect(now.stderr).toBe('');
    expect(before.code, before.stderr).toBe(0);
    expect(before.stderr).toBe(`onsale: note: ${old} was written before checksums: damage cannot be detected\n`);
    const summary = (stdout: string) => {
      const { performances, products, shards } = JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
      return { performances, products, shards };
    };
    expect(summary(before.stdout)).toEqual(summary(now.stdout));
  }, 60_000);
});
