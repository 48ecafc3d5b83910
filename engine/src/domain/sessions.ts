// Client sessions: how binary command batches (binary.ts) are made idempotent without
// remembering every command. As TigerBeetle's client sessions: a client (a gateway process, a
// simulator) opens a session once per performance, then numbers its batches 1, 2, 3, ... and
// sends the next one only once it has the reply to the last. So the performance keeps, per
// session, only the last request number, that request's commands and its reply: a redelivered
// batch gets the same reply again, and anything older is known to have been answered already.
// The command memory (dedupe.ts) costs a hashed id, a table probe and a record per command, half
// of an object hold's time; this costs a few comparisons per batch.
import type { OpenSession } from './commands.ts';
import { reject, type Rejection } from './codes.ts';
import { needId } from './checks.ts';
import { limits } from './limits.ts';
import type { SessionOpened } from './results.ts';
import { grown } from './typed-arrays.ts';
import type { PerformanceState } from './state.ts';

export interface Session {
  readonly clientId: string;
  readonly sessionNo: number;
  /** The last request applied (0 before the first). */
  requestNo: number;
  /** Commands in the last request. */
  count: number;
  /** The last request's command words and reply words (binary.ts layouts), the first `count` records of each. */
  request: Int32Array;
  reply: Int32Array;
  /** The strings the last request's named records used (binary-named.ts); empty when none. */
  strings: readonly string[];
  /** The seats the last request's best-available holds found (binary.ts), the first `seatCount`. */
  seats: Int32Array;
  seatCount: number;
  /** The last request's time, and when the holds it made expire. */
  nowMs: number;
  expiresAtMs: number;
}

export class SessionTable {
  /** By session number. */
  readonly list: Session[] = [];
  readonly byClient = new Map<string, Session>();

  add(clientId: string): Session {
    const session: Session = {
      clientId, sessionNo: this.list.length, requestNo: 0, count: 0, request: new Int32Array(0), reply: new Int32Array(0), strings: [], seats: new Int32Array(0), seatCount: 0, nowMs: 0, expiresAtMs: 0,
    };
    this.list.push(session);
    this.byClient.set(clientId, session);
    return session;
  }
}

export function openSession(s: PerformanceState, cmd: OpenSession): SessionOpened | Rejection {
  const bad = needId(cmd.clientId, 'clientId');
  if (bad !== null) return bad;
  let session = s.sessions.byClient.get(cmd.clientId);
  if (session === undefined) {
    if (s.sessions.list.length >= limits.sessionsPerPerformanceMax) {
      return reject('SESSIONS_LIMIT_REACHED', 'clientId', `at most ${limits.sessionsPerPerformanceMax} client sessions per performance`);
    }
    session = s.sessions.add(cmd.clientId);
  }
  return { ok: true, sessionNo: session.sessionNo, requestNo: session.requestNo };
}

/** Makes room in the session for a reply of `count` commands (written in place: the reply is a view of it). */
export function replyRoom(session: Session, count: number, replyWords: number): Int32Array {
  if (session.reply.length < count * replyWords) session.reply = grown(session.reply, count * replyWords);
  return session.reply;
}

/** Keeps a request (`words` per command) as the session's last; its reply is already in `session.reply`. */
export function keepRequest(session: Session, requestNo: number, commands: Int32Array, count: number, words: number, strings: readonly string[], nowMs: number, expiresAtMs: number): void {
  if (session.request.length < count * words) session.request = grown(session.request, count * words);
  session.request.set(commands.subarray(0, count * words));
  // A copy: the caller may reuse its array for the next request.
  session.strings = strings.length === 0 ? [] : strings.slice();
  session.requestNo = requestNo;
  session.count = count;
  session.nowMs = nowMs;
  session.expiresAtMs = expiresAtMs;
}

/** Whether `commands` and `strings` hold the same `count` commands as the session's last request. */
export function sameRequest(session: Session, commands: Int32Array, count: number, words: number, strings: readonly string[]): boolean {
  if (count !== session.count || strings.length !== session.strings.length) return false;
  const kept = session.request;
  for (let i = 0; i < count * words; i++) if (kept[i] !== commands[i]) return false;
  for (let i = 0; i < strings.length; i++) if (session.strings[i] !== strings[i]) return false;
  return true;
}
