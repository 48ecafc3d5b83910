// `onsale replay --journal FILE` on a file that is not a whole journal: said in one line, never a
// stack trace, and never a "replayed" summary of fewer records than the file held.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { onsale, scratchDir } from './helpers.ts';

/** A frame as the embedded bus writes it: shard (uint32 BE), length (uint32 BE), bytes. */
function frame(shard: number, bytes: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(shard, 0);
  head.writeUInt32BE(bytes.length, 4);
  return Buffer.concat([head, bytes]);
}

describe('onsale replay --journal, refusals', () => {
  it('a missing file is a bad flag value: one line and the usage, exit code 2', async () => {
    const file = join(scratchDir(), 'missing.journal');
    const { code, stderr, stdout } = await onsale(['replay', '--journal', file]);
    expect(code).toBe(2);
    expect(stderr.split('\n')[0]).toBe(`onsale: --journal: no journal file at ${file}`);
    expect(stdout).toBe('');
  });

  it('a file shorter than a frame header, or cut inside one, is refused: exit code 1, nothing replayed', async () => {
    const dir = scratchDir();
    const garbage = join(dir, 'garbage.journal');
    writeFileSync(garbage, 'garbage');
    const cut = join(dir, 'cut.journal');
    writeFileSync(cut, Buffer.concat([frame(0, new Uint8Array([0x80])), Buffer.from([0, 0, 0])]));
    for (const [file, at, left] of [[garbage, 0, 7], [cut, 9, 3]] as const) {
      const { code, stderr, stdout } = await onsale(['replay', '--journal', file]);
      expect(code, file).toBe(1);
      expect(stderr, file).toBe(`onsale: cannot replay ${file}: journal file ${file} ends inside a record header at byte ${at} (${left} bytes left over)\n`);
      expect(stdout, file).toBe('');
    }
  });

  // Session 30: one changed byte named 4 billion shards, and the replay ran out of memory.
  it('a file that names, or reaches, more shards than an engine runs is refused in one line: exit code 1', async () => {
    const dir = scratchDir();
    const count = Buffer.alloc(4);
    count.writeUInt32BE(5_000, 0);
    const named = join(dir, 'named.journal');
    writeFileSync(named, frame(0xffffffff, count));
    const reached = join(dir, 'reached.journal');
    writeFileSync(reached, frame(5_000, new Uint8Array([0x80])));
    for (const [file, why] of [[named, 'names its shard count wrongly at byte 0 \\(5000; at most 4096\\)'], [reached, 'has a record of shard 5000 at byte 0, past the 4096 shards']] as const) {
      const { code, stderr, stdout } = await onsale(['replay', '--journal', file]);
      expect(code, file).toBe(1);
      expect(stderr, file).toMatch(new RegExp(`^onsale: cannot replay .*${why}.*\\n$`));
      expect(stdout, file).toBe('');
    }
  });

  it('a record the workers cannot read is refused in one line with the first reason: exit code 1, no stack trace', async () => {
    const file = join(scratchDir(), 'corrupt.journal');
    writeFileSync(file, frame(0, new TextEncoder().encode('hello')));
    const { code, stderr, stdout } = await onsale(['replay', '--journal', file, '--workers', '1']);
    expect(code).toBe(1);
    expect(stderr).toMatch(new RegExp(`^onsale: cannot replay ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: shard worker 0 died: .+\\n$`));
    expect(stdout).toBe('');
  });
});
