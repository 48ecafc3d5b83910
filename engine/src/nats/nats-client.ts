// The client side of the NATS ingress: batches commands per shard (one request per shard per
// turn of the event loop) and retries, with the same command ids, while a shard has no owner or
// is moving between processes. Retrying is safe because the engine deduplicates by commandId.
import { connect, type NatsConnection } from 'nats';
import { reject, type Result } from '../domain/mod.ts';
import { pack, packr, shardOf, type EngineCommand, type QueryName, type Reply, type StepForwarder } from '../runtime/mod.ts';
import { commandSubjectPrefix, querySubjectPrefix, stepItem, type IngressItem } from './nats-ingress.ts';

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

export class NatsEngineClient implements StepForwarder {
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
        const answer = packr.unpack(msg.data) as { ok: boolean; answer?: unknown; message?: string };
        if (!answer.ok) throw new Error(answer.message);
        return answer.answer;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((r) => setTimeout(r, Math.min(500, 50 * 2 ** attempt)));
      }
    }
  }

  async close(): Promise<void> {
    if (this.ownsConnection) await this.nc.drain();
  }

  private enqueue(waiting: Waiting): void {
    const shard = shardOf(waiting.item[0], this.options.shards);
    let list = this.queued.get(shard);
    if (list === undefined) this.queued.set(shard, (list = []));
    list.push(waiting);
    if (!this.flushing) {
      this.flushing = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushing = false;
    for (const [shard, list] of this.queued) {
      this.queued.delete(shard);
      void this.request(shard, list);
    }
  }

  private async request(shard: number, list: Waiting[]): Promise<void> {
    let results: Result[] | null = null;
    try {
      const msg = await this.nc.request(`${commandSubjectPrefix}.${shard}`, pack(list.map((w) => w.item)), { timeout: this.options.requestTimeoutMs });
      results = packr.unpack(msg.data) as Result[];
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
}
