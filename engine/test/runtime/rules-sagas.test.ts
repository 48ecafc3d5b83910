// Found by mutation testing of the runtime: saga steps refused for a passing reason are sent
// again, and a saga cut off before its steps were journaled goes on after a restart (the
// recovered coordinator's pending steps are sent again).
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedBus, Engine, type Lease } from '../../src/runtime/mod.ts';
import { CARD_SALE_AT_MS, SEASON_CARD } from '../../src/sim/season-setup.ts';
import { buy, matches, seat, setUp } from './season-fixture.ts';
import { engines, within } from '../runtime/helpers.ts';

const { start } = engines();
const shards = 4;

/** An embedded bus (journal kept) that fails or holds the appends of chosen shards. */
class StepBus extends EmbeddedBus {
  failOnce = new Set<number>();
  hold = new Set<number>();
  private readonly waiting: (() => void)[] = [];
  constructor() {
    super({ keepJournal: true });
  }
  override append(shard: number, lease: Lease, bytes: Uint8Array): Promise<number> {
    if (this.failOnce.delete(shard)) return Promise.reject(Object.assign(new Error('not acknowledged'), { code: 'JOURNAL_FAILED' }));
    if (this.hold.has(shard)) return new Promise((resolve) => this.waiting.push(() => resolve(super.append(shard, lease, bytes))));
    return super.append(shard, lease, bytes);
  }
  landAll(): void {
    this.hold.clear();
    for (const go of this.waiting.splice(0)) go();
  }
}

const extra: Engine[] = [];
afterEach(async () => {
  for (const e of extra.splice(0)) await e.stop().catch(() => undefined);
});

/** The shards of the match performances other than the coordinator's (at least one). */
function stepShards(engine: Engine): number[] {
  const coordinator = engine.shardOf(SEASON_CARD);
  const out = [...new Set(matches.map((p) => engine.shardOf(p.performanceId)))].filter((s) => s !== coordinator);
  expect(out.length).toBeGreaterThan(0);
  return out;
}

describe('saga steps', () => {
  it('a step whose journal append fails (JOURNAL_FAILED, not applied) is sent again, and the saga succeeds', async () => {
    const bus = new StepBus();
    const engine = await start({ workers: 1, shards, bus });
    await setUp(engine);
    for (const s of stepShards(engine)) bus.failOnce.add(s);
    const result = await engine.submit(SEASON_CARD, buy('b1', 'alice', [seat(100)]), CARD_SALE_AT_MS);
    expect(bus.failOnce.size).toBe(0);
    expect(result).toMatchObject({ ok: true, holdingId: `${SEASON_CARD}-H1`, seats: [seat(100)] });
  });

  it('a saga whose steps were never journaled goes on after a restart on the journal: its pending steps are sent again', async () => {
    const bus = new StepBus();
    const first = await Engine.start({ workers: 1, shards, bus });
    extra.push(first);
    await Promise.all(Array.from({ length: shards }, (_, s) => first.whenServing(s)));
    await setUp(first);
    for (const s of stepShards(first)) bus.hold.add(s);
    const cut = first.submit(SEASON_CARD, buy('b1', 'alice', [seat(100)]), CARD_SALE_AT_MS);
    expect(await within(cut, 200)).toBe('pending');
    // A crash now: what is journaled is the coordinator's saga start, not all of its steps.
    const copy = new EmbeddedBus({ keepJournal: true });
    for (let s = 0; s < shards; s++) await bus.read(s, 0, (e) => void copy.append(s, { shard: s, epoch: 1 }, e.bytes));
    const second = await start({ workers: 1, shards, bus: copy });
    const again = await within(second.submit(SEASON_CARD, buy('b1', 'alice', [seat(100)]), CARD_SALE_AT_MS + 1), 5_000);
    expect(again).toMatchObject({ ok: true, holdingId: `${SEASON_CARD}-H1`, seats: [seat(100)] });
    bus.landAll();
    await cut;
  });
});
