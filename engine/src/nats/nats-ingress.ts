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

export interface NatsIngressOptions {
  /**
   * Take a client's time (an item's nowMs) instead of the engine's clock. Off by default: a
   * client's time moves its shard's clock for every performance there, for good (journaled), so
   * one far in the future stopped sales on the shard, and after a restart refused everything
   * TIME_REGRESSED (session 32). A gateway lets the engine stamp; tests and tools that drive an
   * engine in simulated time turn it on (`onsale serve --client-time`).
   */
  clientTime?: boolean;
}

export class NatsIngress {
  private readonly subscriptions = new Map<number, Subscription[]>();
  private readonly clientTime: boolean;
  constructor(private readonly nc: NatsConnection, private readonly engine: Engine, options: NatsIngressOptions = {}) {
    this.clientTime = options.clientTime === true;
  }

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
        const tooLarge = (): Uint8Array => pack(reject('REPLY_TOO_LARGE', 'query', `the answer to ${String(request.query)} on ${request.performanceId} exceeds the server's max_payload (${this.nc.info?.max_payload} bytes)`));
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
        // Nothing may throw from here into nats.js: its reader stops for good, and the process,
        // still alive and keeping its membership, serves nothing more (session 32: a request
        // whose performanceId was a map with a `toString` member did that). Each item is guarded
        // below; this catches the rest.
        try {
          this.answerItems(msg, steps);
        } catch {
          const refused = pack(reject('COMMAND_INVALID', '', 'the request could not be read'));
          this.respond(msg, refused, () => refused);
        }
      },
    });
  }

  private answerItems(msg: Msg, steps: boolean): void {
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
      let answered = false;
      const answer = (result: Result): void => {
        if (answered) return;
        answered = true;
        results[i] = result;
        if (--left === 0) this.respond(msg, pack(results), tooLarge);
      };
      // A malformed item is answered, never thrown: a throw here would stop the client's reader.
      try {
        this.answerItem(items[i], i, steps, answer);
      } catch {
        this.engine.refuseAtTheDoor(undefined, reject('COMMAND_INVALID', `[${i}]`, 'the item could not be read as [performanceId, command, nowMs]'), answer, steps);
      }
    }
  }

  private answerItem(item: unknown, i: number, steps: boolean, answer: (result: Result) => void): void {
    if (!Array.isArray(item)) return this.engine.refuseAtTheDoor(item, reject('COMMAND_INVALID', `[${i}]`, 'an item is [performanceId, command, nowMs]'), answer, steps);
    const [performanceId, command, nowMs, step] = item as IngressItem;
    if (steps !== (step === stepItem)) {
      return this.engine.refuseAtTheDoor(command, reject('PRODUCT_STEP_ONLY', `[${i}]`, steps ? `the step subject carries saga steps only (items marked ${stepItem} fourth)` : `saga steps come on ${stepSubjectPrefix}.<shard>, from engine processes`), answer, steps);
    }
    if (steps) return this.engine.applyForwardedStep(performanceId, command, nowMs as number, answer);
    if (!this.clientTime && nowMs !== null && nowMs !== undefined) {
      return this.engine.refuseAtTheDoor(command, reject('COMMAND_INVALID', 'nowMs', 'this engine stamps commands with its own clock: send nowMs null (a caller\'s time is taken only by `onsale serve --client-time`)'), answer, steps);
    }
    // Not String(performanceId): the engine refuses one that is not a string (COMMAND_INVALID),
    // where a conversion made 5 or null an id, and a map whose toString is not a function threw.
    this.engine.send(performanceId, command, nowMs ?? undefined, answer);
  }
}

