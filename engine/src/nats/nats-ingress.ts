// Commands reach an engine process over NATS: one request subject per shard, served only by the
// process that owns the shard's lease (it subscribes on acquiring and unsubscribes on losing it).
// A request carries a batch of commands for that shard; the reply carries their results in
// order, each sent only after its batch is journaled and applied (or, when they would not fit in
// a message, one REPLY_TOO_LARGE refusal for the whole request).
import type { Msg, NatsConnection, Subscription } from 'nats';
import { reject, type Result } from '../domain/mod.ts';
import { packr, pack, queryRejection, type Engine, type EngineCommand, type QueryName } from '../runtime/mod.ts';

export const commandSubjectPrefix = 'onsale.cmd';
export const querySubjectPrefix = 'onsale.query';
/**
 * Saga steps (and their reports) another engine process forwards (StepForwarder) come on a
 * subject of their own, so that NATS permissions can keep clients off it: a step is applied as a
 * coordinator's (a `stepResult` stands in for a performance's answer, a hold may be for a
 * product), which the engine refuses from a client (Engine.send, PRODUCT_STEP_ONLY).
 */
export const stepSubjectPrefix = 'onsale.step';

/**
 * A request's body: [performanceId, command, nowMs or null (the engine's clock)] per command. On
 * the step subject an item carries `stepItem` fourth: it runs at nowMs or later
 * (Engine.applyForwardedStep), where a client's explicit time earlier than its shard's is
 * refused. On the command subject such an item is refused (PRODUCT_STEP_ONLY).
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

  /**
   * Replies with `body`, or with `tooLarge()` when it would not fit in the server's max_payload
   * (nats.js throws on a larger message: from a subscription's callback or a query's promise
   * that ended the process, and every process that took the shard over got the same reply and
   * ended too). Never throws: a reply that cannot be sent (the connection closing) is dropped,
   * and the client's request times out and is retried.
   */
  private respond(msg: Msg, body: Uint8Array, tooLarge: () => Uint8Array): void {
    const max = this.nc.info?.max_payload;
    try {
      msg.respond(max !== undefined && body.length > max ? tooLarge() : body);
    } catch {
      // Nothing to do here; see above.
    }
  }

  private serve(shard: number): void {
    const commands = this.subscribeItems(`${commandSubjectPrefix}.${shard}`, false);
    const steps = this.subscribeItems(`${stepSubjectPrefix}.${shard}`, true);
    const queries = this.nc.subscribe(`${querySubjectPrefix}.${shard}`, {
      callback: (error, msg) => {
        if (error !== null) return;
        let request: QueryRequest;
        try {
          request = packr.unpack(msg.data) as QueryRequest;
          if (typeof request !== 'object' || request === null || typeof request.performanceId !== 'string') throw new Error('not a query');
        } catch {
          const refused = pack(reject('COMMAND_INVALID', '', 'a query request is a msgpack map {performanceId, query, arg}'));
          this.respond(msg, refused, () => refused);
          return;
        }
        const tooLarge = (): Uint8Array => pack(reject('REPLY_TOO_LARGE', 'query', `the answer to ${request.query} on ${request.performanceId} exceeds the server's max_payload (${this.nc.info?.max_payload} bytes)`));
        this.engine.query(request.performanceId, request.query, request.arg).then(
          (answer) => this.respond(msg, pack({ ok: true, answer }), tooLarge),
          // A rejection with its code, as commands get: {ok: false, code, name, field, message}.
          (failure: unknown) => this.respond(msg, pack(queryRejection(failure)), tooLarge),
        );
      },
    });
    this.subscriptions.set(shard, [commands, steps, queries]);
  }

  /** Requests of items on `subject`: clients' commands, or (`steps`) the saga steps other engine processes forward. */
  private subscribeItems(subject: string, steps: boolean): Subscription {
    return this.nc.subscribe(subject, {
      callback: (error, msg) => {
        if (error !== null) return;
        let items: IngressItem[];
        try {
          items = packr.unpack(msg.data) as IngressItem[];
          if (!Array.isArray(items)) throw new Error('not an array');
        } catch {
          // Answered and counted as the engine's refusals at the door are (onsale_commands_total).
          this.engine.refuseAtTheDoor(undefined, reject('COMMAND_INVALID', '', 'a command request is a msgpack array of [performanceId, command, nowMs]'), (refusal) => {
            const refused = pack([refusal]);
            this.respond(msg, refused, () => refused);
          }, steps);
          return;
        }
        const results: Result[] = new Array(items.length);
        let left = items.length;
        // One refusal for the whole request, not one per command: those could not fit either.
        const tooLarge = (): Uint8Array => pack(reject('REPLY_TOO_LARGE', '', `the results of these ${items.length} commands exceed the server's max_payload (${this.nc.info?.max_payload} bytes); they were applied: send them again with the same commandIds, fewer per request`));
        if (left === 0) return void this.respond(msg, pack(results), tooLarge);
        for (let i = 0; i < items.length; i++) {
          const answer = (result: Result): void => {
            results[i] = result;
            if (--left === 0) this.respond(msg, pack(results), tooLarge);
          };
          // A malformed item is answered, never thrown: a throw here would stop the client's reader.
          const item = items[i];
          if (!Array.isArray(item)) {
            this.engine.refuseAtTheDoor(item, reject('COMMAND_INVALID', `[${i}]`, 'an item is [performanceId, command, nowMs]'), answer, steps);
            continue;
          }
          const [performanceId, command, nowMs, step] = item;
          if (steps !== (step === stepItem)) {
            this.engine.refuseAtTheDoor(command, reject('PRODUCT_STEP_ONLY', `[${i}]`, steps ? `the step subject carries saga steps only (items marked ${stepItem} fourth)` : `saga steps come on ${stepSubjectPrefix}.<shard>, from engine processes`), answer, steps);
          } else if (steps) this.engine.applyForwardedStep(performanceId, command, nowMs as number, answer);
          else this.engine.send(String(performanceId), command, nowMs ?? undefined, answer);
        }
      },
    });
  }
}

