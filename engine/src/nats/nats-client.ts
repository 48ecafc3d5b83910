// The client side of the NATS ingress: batches commands per shard (one request per shard per
// turn of the event loop) and retries, with the same command ids, while a shard has no owner or
// is moving between processes. Retrying is safe because the engine deduplicates by commandId.
import { connect, type NatsConnection } from 'nats';
import { reject, unkeepable, type Result } from '../domain/mod.ts';
import { envelopeRefusal, pack, packr, shardOf, type EngineCommand, type QueryName, type Reply, type StepForwarder } from '../runtime/mod.ts';
import { commandSubjectPrefix, querySubjectPrefix, stepItem, stepSubjectPrefix, type IngressItem } from './nats-ingress.ts';

export interface NatsClientOptions {
  servers: string;
  /** Must equal the engines' shard count. */
  shards: number;
  /** How long a command keeps being retried while its shard is unavailable. */
  retryForMs?: number;
  requestTimeoutMs?: number;
}

interface Waiting { item: IngressItem; reply: (result: Result) => void; deadlineMs: number }

const retryable = new Set(['SHARD_UNAVAILABLE', 'JOURNAL_FAILED', 'OVERLOADED', 'ENGINE_STOPPING']);

/**
 * Commands per request at most: what one turn of the event loop queued for a shard goes in
 * requests of this many. Their replies must fit in the server's max_payload (1 MiB by default;
 * a result is a few hundred bytes); a request whose reply still does not fit is answered
 * REPLY_TOO_LARGE and split in two (request below).
 */
export const requestCommandsMax = 1_024;

export class NatsEngineClient implements StepForwarder {
  /** Per shard, and per subject: commands under the shard's number, forwarded steps under -1 - it. */
  private readonly queued = new Map<number, Waiting[]>();
  private flushing = false;

  private constructor(private readonly nc: NatsConnection, private readonly options: Required<NatsClientOptions>, private readonly ownsConnection: boolean) {}

  static async connect(options: NatsClientOptions): Promise<NatsEngineClient> {
    const nc = await connect({ servers: options.servers, name: 'onsale-client', maxReconnectAttempts: -1, reconnectTimeWait: 250 });
    return new NatsEngineClient(nc, { retryForMs: 15_000, requestTimeoutMs: 5_000, ...options }, true);
  }

  /**
   * An engine process's forwarder of saga steps (Engine's StepForwarder) on the connection its
   * bus already has (not closed by close()). It does not retry: the engine sends a step again
   * itself after a passing refusal, with its own backoff, and gives up on it when it stops.
   */
  static forwarderOver(nc: NatsConnection, shards: number, requestTimeoutMs = 5_000): NatsEngineClient {
    return new NatsEngineClient(nc, { servers: '', shards, retryForMs: 0, requestTimeoutMs }, false);
  }

  submit(performanceId: string, command: EngineCommand, nowMs: number | null = null): Promise<Result> {
    // What msgpack cannot carry as it is (a batch's words other than bytes; a lone UTF-16
    // surrogate, which arrives as U+FFFD) is refused here, as the engine's door refuses it: the
    // engine cannot tell once it is sent (session 30, session 32).
    const refused = envelopeRefusal(command) ?? unkeepable(command as object);
    if (refused !== null) return Promise.resolve(refused);
    return new Promise((reply) => this.enqueue({ item: [performanceId, command, nowMs], reply, deadlineMs: Date.now() + this.options.retryForMs }));
  }

  /** StepForwarder: one step to the process serving its shard (the ingress applies it with Engine.applyForwardedStep). */
  forward(_shard: number, actorId: string, command: EngineCommand, nowMs: number, reply: Reply): void {
    this.enqueue({ item: [actorId, command, nowMs, stepItem], reply, deadlineMs: 0 });
  }

  async query(performanceId: string, query: QueryName, arg: string | null = null): Promise<unknown> {
    const deadline = Date.now() + this.options.retryForMs;
    for (let attempt = 0; ; attempt++) {
      try {
        const msg = await this.nc.request(`${querySubjectPrefix}.${shardOf(performanceId, this.options.shards)}`, pack({ performanceId, query, arg }), { timeout: this.options.requestTimeoutMs });
        const answer = packr.unpack(msg.data) as { ok: boolean; answer?: unknown; name?: string; message?: string };
        if (!answer.ok) throw Object.assign(new Error(answer.message), { code: answer.name, refusal: true });
        return answer.answer;
      } catch (error) {
        // The engine's refusal that a retry would get again (REPLY_TOO_LARGE, PERFORMANCE_UNKNOWN,
        // ...) is the answer; a timeout or no responder (NatsError) is retried.
        const e = error as { code?: string; refusal?: boolean };
        if ((e.refusal === true && !retryable.has(e.code ?? '')) || Date.now() > deadline) throw error;
        await new Promise((r) => setTimeout(r, Math.min(500, 50 * 2 ** attempt)));
      }
    }
  }

  async close(): Promise<void> {
    if (this.ownsConnection) await this.nc.drain();
  }

  private enqueue(waiting: Waiting): void {
    const shard = shardOf(waiting.item[0], this.options.shards);
    const key = waiting.item[3] === stepItem ? -1 - shard : shard;
    let list = this.queued.get(key);
    if (list === undefined) this.queued.set(key, (list = []));
    list.push(waiting);
    if (!this.flushing) {
      this.flushing = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushing = false;
    for (const [key, list] of this.queued) {
      this.queued.delete(key);
      for (let i = 0; i < list.length; i += requestCommandsMax) void this.request(key, list.slice(i, i + requestCommandsMax));
    }
  }

  /** `key`: the shard's number for commands, -1 - it for forwarded steps (their own subject, stepSubjectPrefix). */
  private async request(key: number, list: Waiting[]): Promise<void> {
    const shard = key < 0 ? -1 - key : key;
    const subject = `${key < 0 ? stepSubjectPrefix : commandSubjectPrefix}.${shard}`;
    let results: Result[] | null = null;
    const body = pack(list.map((w) => w.item));
    const max = this.nc.info?.max_payload;
    // A request, or its reply, too large for the server: the halves go instead (a command's
    // retry with its id is answered as the first time, so the applied ones are not applied again).
    if (max !== undefined && body.length > max) {
      if (list.length > 1) return this.split(key, list);
      // One command larger than a message by itself: no server could take it (the engine refuses
      // it at its door too, NATS.md "Message size"), and retrying it until the deadline would only
      // end in SHARD_UNAVAILABLE.
      return list[0].reply(reject('COMMAND_INVALID', '', `the command takes ${body.length} bytes, more than the server's max_payload (${max})`));
    }
    try {
      const msg = await this.nc.request(subject, body, { timeout: this.options.requestTimeoutMs });
      const reply = packr.unpack(msg.data) as Result[] | Result;
      // An array: each command's result; one refusal: the whole request's (REPLY_TOO_LARGE).
      if (!Array.isArray(reply)) {
        if (list.length > 1 && !reply.ok && reply.name === 'REPLY_TOO_LARGE') return this.split(key, list);
        results = list.map(() => reply);
      } else results = reply;
    } catch {
      // No responder (no owner yet) or a timeout: retry below with the same ids.
    }
    const now = Date.now();
    const again: Waiting[] = [];
    for (let i = 0; i < list.length; i++) {
      const result = results?.[i];
      const retry = result === undefined || (!result.ok && retryable.has(result.name));
      if (retry && now < list[i].deadlineMs) again.push(list[i]);
      else list[i].reply(result ?? reject('SHARD_UNAVAILABLE', 'performanceId', `no engine answered for shard ${shard} in time`));
    }
    if (again.length > 0) setTimeout(() => { for (const w of again) this.enqueue(w); }, 100);
  }

  private split(key: number, list: Waiting[]): void {
    const half = Math.ceil(list.length / 2);
    void this.request(key, list.slice(0, half));
    void this.request(key, list.slice(half));
  }
}
