// Commands reach an engine process over NATS: one request subject per shard, served only by the
// process that owns the shard's lease (it subscribes on acquiring and unsubscribes on losing it).
// A request carries a batch of commands for that shard; the reply carries their results in
// order, each sent only after its batch is journaled and applied.
import type { NatsConnection, Subscription } from 'nats';
import { reject, type Result } from '../domain/mod.ts';
import { packr, pack, queryRejection, type Engine, type EngineCommand, type QueryName } from '../runtime/mod.ts';

export const commandSubjectPrefix = 'onsale.cmd';
export const querySubjectPrefix = 'onsale.query';

/**
 * A request's body: [performanceId, command, nowMs or null (the engine's clock)] per command. A
 * saga step another engine process forwards (StepForwarder) carries `stepItem` fourth: it runs
 * at nowMs or later (Engine.applyForwardedStep), where a client's explicit time earlier than its shard's is
 * refused.
 */
export type IngressItem = [performanceId: string, command: EngineCommand, nowMs: number | null, step?: typeof stepItem];
export const stepItem = 1;
export interface QueryRequest { performanceId: string; query: QueryName; arg: string | null }

export class NatsIngress {
  private readonly subscriptions = new Map<number, Subscription[]>();
  constructor(private readonly nc: NatsConnection, private readonly engine: Engine) {}

  /** Starts or stops serving shards to match what this process owns. */
  sync(owned: readonly number[]): void {
    const want = new Set(owned);
    for (const [shard, subs] of this.subscriptions) {
      if (want.has(shard)) continue;
      for (const sub of subs) sub.unsubscribe();
      this.subscriptions.delete(shard);
    }
    for (const shard of want) if (!this.subscriptions.has(shard)) this.serve(shard);
  }

  close(): void {
    this.sync([]);
  }

  private serve(shard: number): void {
    const commands = this.nc.subscribe(`${commandSubjectPrefix}.${shard}`, {
      callback: (error, msg) => {
        if (error !== null) return;
        let items: IngressItem[];
        try {
          items = packr.unpack(msg.data) as IngressItem[];
          if (!Array.isArray(items)) throw new Error('not an array');
        } catch {
          msg.respond(pack([reject('COMMAND_INVALID', '', 'a command request is a msgpack array of [performanceId, command, nowMs]')]));
          return;
        }
        const results: Result[] = new Array(items.length);
        let left = items.length;
        if (left === 0) return void msg.respond(pack(results));
        for (let i = 0; i < items.length; i++) {
          const answer = (result: Result): void => {
            results[i] = result;
            if (--left === 0) msg.respond(pack(results));
          };
          // A malformed item is answered, never thrown: a throw here would stop the client's reader.
          const item = items[i];
          if (!Array.isArray(item)) {
            answer(reject('COMMAND_INVALID', `[${i}]`, 'an item is [performanceId, command, nowMs]'));
            continue;
          }
          const [performanceId, command, nowMs, step] = item;
          if (step === stepItem) this.engine.applyForwardedStep(performanceId, command, nowMs as number, answer);
          else this.engine.send(String(performanceId), command, nowMs ?? undefined, answer);
        }
      },
    });
    const queries = this.nc.subscribe(`${querySubjectPrefix}.${shard}`, {
      callback: (error, msg) => {
        if (error !== null) return;
        let request: QueryRequest;
        try {
          request = packr.unpack(msg.data) as QueryRequest;
          if (typeof request !== 'object' || request === null || typeof request.performanceId !== 'string') throw new Error('not a query');
        } catch {
          msg.respond(pack(reject('COMMAND_INVALID', '', 'a query request is a msgpack map {performanceId, query, arg}')));
          return;
        }
        this.engine.query(request.performanceId, request.query, request.arg).then(
          (answer) => msg.respond(pack({ ok: true, answer })),
          // A rejection with its code, as commands get: {ok: false, code, name, field, message}.
          (failure: unknown) => msg.respond(pack(queryRejection(failure))),
        );
      },
    });
    this.subscriptions.set(shard, [commands, queries]);
  }
}

