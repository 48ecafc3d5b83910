// Reading ahead for a batch. Executing a command first looks its id up in the retry memory
// (memo.ts): one word in each generation's index, at a place set by the id's hash, and with
// dozens of performances in a worker those words are nearly never in the CPU's caches. Looked up
// one command at a time, each of those loads waits for memory while nothing else runs. A caller
// that holds many commands at once (the runtime applies a journal record at a time) calls touch()
// for the next few commands in a tight loop before executing them: their loads are then in
// flight together, and each command finds its words in cache when its turn comes. Measured in
// bench/RESULTS.md (session 9). touch() changes nothing; it returns what it read so that the reads
// are not dropped as dead code (the caller keeps the value somewhere).
import type { Command } from './commands.ts';
import { limits } from './limits.ts';
import type { PerformanceState } from './state.ts';

/**
 * Reads the words execute() will read first for `command`, whose id hashes to `hash` (hashId):
 * the retry memory's, and for a hold by seat numbers each seat's state, pool, row and id and its
 * row's free count. No effect; anything malformed is left for execute() to refuse.
 */
export function touch(s: PerformanceState, command: Command, hash: number): number {
  let t = s.dedupe.touch(hash);
  if (command.type !== 'holdSeats' || !Array.isArray(command.seatNos)) return t;
  const seatNos: readonly unknown[] = command.seatNos;
  const layout = s.layout;
  const n = Math.min(seatNos.length, limits.seatsPerHoldMax);
  for (let i = 0; i < n; i++) {
    const seat = seatNos[i];
    if (typeof seat !== 'number' || !(seat >= 0 && seat < layout.seatCount) || seat % 1 !== 0) continue;
    t ^= s.seatState[seat] ^ s.seatSource[seat] ^ s.rowFree[layout.seatRow[seat]] ^ layout.seatIds[seat].length;
  }
  return t;
}
