// The journal on JetStream: one stream, one subject per shard. A record's seq is its stream
// sequence, so it increases within a shard but skips the numbers other shards took.
//
// The fence is JetStream's expected-last-subject-sequence: a writer publishes "after seq N" and
// the server refuses the record if anything else landed on the subject since. The msg id makes a
// retried publish (a lost ack) land once: JetStream answers a repeat within its duplicate window
// with the first record's seq.
import { DeliverPolicy, DiscardPolicy, headers, nanos, RetentionPolicy, StorageType, type JetStreamClient, type JetStreamManager, type NatsConnection, type NatsError, type StreamConfig } from 'nats';
import type { JournalEntry } from '../runtime/bus.ts';
import { apiErrorCode, losingSettings, onReconnect, sleep, streamNotFound } from './nats-connection.ts';

/** The epoch of the writer, on every record, so a new writer can start above it. */
const epochHeader = 'Onsale-Epoch';
/** JetStream's error codes that this file tells apart. */
const noMessageFound = 10037;
const duplicateWindowMs = 2 * 60_000;
/** A read that gets nothing for this long while records are still due has stalled (the default). */
const readStallMsDefault = 30_000;

export interface JournalFailure extends Error { code: 'JOURNAL_FAILED' }

export function journalFailed(message: string, cause?: unknown): JournalFailure {
  return Object.assign(new Error(message, cause === undefined ? undefined : { cause }), { code: 'JOURNAL_FAILED' as const });
}

/** The last record of a shard: a new writer fences on its seq and takes an epoch above its epoch. */
export interface JournalTail { seq: number; epoch: number }

export interface PublishOptions {
  /** Unique per record; the same id on a retry makes JetStream answer with the first record's seq. */
  msgId: string;
  epoch: number;
  /** The seq of the shard's last record as this writer knows it (0: none). */
  expectedLastSeq: number;
  /** Retries (same msg id) until acknowledged or until this has passed. */
  timeoutMs: number;
}

export interface Published { seq: number; duplicate: boolean }

/**
 * What in an existing stream's configuration would drop journal records, said for an operator,
 * or null: a limit on age, size or count (also per subject), or a retention other than limits
 * (an interest or work-queue stream removes records once consumed). A journal stream the engine
 * made has none of these; one made beforehand by hand might (NATS.md).
 */
function droppedBy(c: StreamConfig): string | null {
  const limited = losingSettings(c, ['max_msgs', 'max_bytes', 'max_age', 'max_msgs_per_subject']);
  if (c.retention !== undefined && c.retention !== RetentionPolicy.Limits) limited.push(`retention ${c.retention}`);
  return limited.length > 0 ? limited.join(', ') : null;
}

export class NatsJournal {
  /**
   * The appends waiting for an acknowledgement, each told of the next reconnect (a request
   * written just before a disconnect is lost with the socket). One listener per attempt, removed
   * when the attempt ends: racing every append against one promise that settles only at the
   * next reconnect kept a reaction, and the acknowledgement it held, per append until then
   * (about 390 bytes each; a `serve --nats` process grew without bound between reconnects).
   */
  private readonly reconnectListeners = new Set<() => void>();

  private constructor(
    nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    readonly stream: string,
    private readonly subjectPrefix: string,
    private readonly readStallMs: number,
    /** The stream's max_msg_size (headers included), or null where it sets none: a record must fit it too. */
    readonly maxMsgSize: number | null,
  ) {
    onReconnect(nc, () => {
      for (const listener of [...this.reconnectListeners]) listener();
    });
  }

  /** Binds to the stream, creating it (file storage, no limits) when it does not exist. */
  static async open(nc: NatsConnection, stream: string, subjectPrefix: string, readStallMs = readStallMsDefault): Promise<NatsJournal> {
    const js = nc.jetstream();
    const jsm = await nc.jetstreamManager();
    const wildcard = `${subjectPrefix}.>`;
    let config: StreamConfig;
    try {
      config = (await jsm.streams.info(stream)).config;
    } catch (error) {
      if (apiErrorCode(error) !== streamNotFound) throw error;
      try {
        // No age, size or count limits: recovery needs every record after the latest snapshot.
        config = (await jsm.streams.add({
          name: stream,
          subjects: [wildcard],
          storage: StorageType.File,
          retention: RetentionPolicy.Limits,
          discard: DiscardPolicy.Old,
          duplicate_window: nanos(duplicateWindowMs),
        })).config;
      } catch (addError) {
        // Another engine process created it at the same moment.
        config = (await jsm.streams.info(stream).catch(() => { throw addError; })).config;
      }
    }
    const subjects = config.subjects ?? [];
    if (!subjects.includes(wildcard)) {
      throw new Error(`stream ${stream} exists but does not take ${wildcard} (its subjects: ${subjects.join(', ') || 'none'})`);
    }
    const drops = droppedBy(config);
    if (drops !== null) throw new Error(`stream ${stream} exists but drops records (${drops}): recovery reads every record after the latest snapshot; remove that from the stream, or name another one`);
    // A stream that never acknowledges would fail every append (and give every shard's lease up).
    if (config.no_ack === true) throw new Error(`stream ${stream} exists with no_ack: the engine answers a command only once its record is acknowledged; remove no_ack from the stream, or name another one`);
    return new NatsJournal(nc, js, jsm, stream, subjectPrefix, readStallMs, typeof config.max_msg_size === 'number' && config.max_msg_size > 0 ? config.max_msg_size : null);
  }

  subject(shard: number): string {
    return `${this.subjectPrefix}.${shard}`;
  }

  /** Records in the stream, every shard's together (0 for a journal nothing was written to). */
  async records(): Promise<number> {
    return (await this.jsm.streams.info(this.stream)).state.messages;
  }

  /**
   * One more than the highest shard with a record in the stream (0 for an empty journal): the
   * least shard count the journal was written with. (Stream info with a subjects filter, which
   * nats-server 2.9 answers; a journal has at most a few thousand shard subjects.)
   */
  async shardsReached(): Promise<number> {
    const info = await this.jsm.streams.info(this.stream, { subjects_filter: `${this.subjectPrefix}.>` });
    let reached = 0;
    for (const subject of Object.keys(info.state.subjects ?? {})) {
      const shard = Number(subject.slice(this.subjectPrefix.length + 1));
      if (Number.isSafeInteger(shard) && shard >= reached) reached = shard + 1;
    }
    return reached;
  }

  async tail(shard: number): Promise<JournalTail> {
    try {
      const last = await this.jsm.streams.getMessage(this.stream, { last_by_subj: this.subject(shard) });
      const epoch = Number(last.header?.get(epochHeader) ?? 0);
      return { seq: last.seq, epoch: Number.isSafeInteger(epoch) && epoch > 0 ? epoch : 0 };
    } catch (error) {
      if (apiErrorCode(error) === noMessageFound) return { seq: 0, epoch: 0 };
      throw error;
    }
  }

  /** Publishes one record; rejects with code JOURNAL_FAILED when fenced or not acknowledged in time. */
  async publish(shard: number, bytes: Uint8Array, options: PublishOptions): Promise<Published> {
    const deadline = performance.now() + options.timeoutMs;
    // Several tries fit in the timeout, so an ack lost to a reconnect is asked for again in time.
    const tryMs = Math.max(250, options.timeoutMs / 4);
    let lastError: unknown = null;
    for (;;) {
      const leftMs = deadline - performance.now();
      if (leftMs <= 0) {
        throw journalFailed(`journal append to shard ${shard} not acknowledged within ${options.timeoutMs} ms${lastError === null ? '' : ` (${describe(lastError)})`}`, lastError);
      }
      const h = headers();
      h.set(epochHeader, String(options.epoch));
      const reconnected = settleable();
      this.reconnectListeners.add(reconnected.settle);
      const attempt = this.js.publish(this.subject(shard), bytes, {
        msgID: options.msgId,
        headers: h,
        expect: { lastSubjectSequence: options.expectedLastSeq },
        timeout: Math.max(1, Math.min(leftMs, tryMs)),
      });
      try {
        // After a reconnect, ask again at once rather than wait out an attempt that may have
        // died with the old socket; should both land, the msg id makes them one record.
        const ack = await Promise.race([attempt, reconnected.promise]);
        if (ack === undefined) {
          attempt.catch(() => undefined);
          lastError = new Error('reconnected while waiting for the acknowledgement');
          continue;
        }
        return { seq: ack.seq, duplicate: ack.duplicate };
      } catch (error) {
        if (!retryable(error)) throw journalFailed(`journal append to shard ${shard} refused: ${describe(error)}`, error);
        lastError = error;
        // No responders: JetStream is (re)starting; do not spin on it.
        if ((error as NatsError).code === '503') await sleep(Math.min(100, Math.max(0, deadline - performance.now())));
      } finally {
        this.reconnectListeners.delete(reconnected.settle);
      }
    }
  }

  /** Calls `each` for every record of the shard after `afterSeq`, in order; resolves with the last seq seen. */
  async read(shard: number, afterSeq: number, each: (entry: JournalEntry) => void): Promise<number> {
    // Asking for the end first is what tells the reader it is done: a consumer only waits for more.
    const { seq: lastSeq } = await this.tail(shard);
    if (lastSeq <= afterSeq) return afterSeq;
    const consumer = await this.js.consumers.get(this.stream, {
      filterSubjects: this.subject(shard),
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: afterSeq + 1,
    });
    // Bounded fetches rather than one open-ended consume: each pull asks for what is left, and a
    // pull that brings nothing within its expiry counts towards the stall limit.
    let seen = afterSeq;
    let complete = false;
    let idleSinceMs = performance.now();
    while (!complete && performance.now() - idleSinceMs < this.readStallMs) {
      // The gap in stream sequence numbers counts the other shards' records too: a pull may ask
      // for more than the shard has left, and would then wait out its expiry for the rest.
      const batch = await consumer.fetch({ max_messages: Math.min(1_000, lastSeq - seen), expires: 2_000 });
      for await (const message of batch) {
        // A copy, so the caller may keep or transfer the bytes without pinning the client's buffers.
        each({ seq: message.seq, bytes: new Uint8Array(message.data) });
        seen = message.seq;
        idleSinceMs = performance.now();
        if (seen >= lastSeq) {
          // The end: not a wait for the pull's expiry (2 s added to every recovery whose tail
          // had other shards' records between its own, until session 30).
          complete = true;
          batch.stop();
          break;
        }
      }
    }
    await consumer.delete().catch(() => undefined);
    // A partial read must not pass for the whole journal: recovery would silently skip records.
    if (!complete) throw new Error(`reading shard ${shard} stopped after seq ${seen}, before the journal's end at ${lastSeq} (nothing received for ${this.readStallMs} ms, or the consumer ended)`);
    return seen;
  }
}

/** A timeout, a dropped connection or a JetStream not yet up may succeed on a retry; a refusal will not. */
function retryable(error: unknown): boolean {
  const code = (error as NatsError | null)?.code;
  return code === 'TIMEOUT' || code === '503' || code === 'DISCONNECT';
}

function describe(error: unknown): string {
  const e = error as NatsError | null;
  return e?.api_error?.description ?? e?.message ?? String(error);
}

function settleable(): { promise: Promise<undefined>; settle: () => void } {
  let settle: () => void = () => undefined;
  const promise = new Promise<undefined>((resolve) => { settle = () => resolve(undefined); });
  return { promise, settle };
}
