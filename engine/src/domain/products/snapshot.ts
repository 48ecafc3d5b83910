// A coordinator's state as plain arrays and back (the runtime packs it with msgpack). Maps are
// written as entry lists in insertion order, so a decoded state iterates, and hashes, the same.
import { renewalHoldersOf, type Holding, type MakingHolding, type ProductState, type Saga } from './state.ts';

export const PRODUCT_SNAPSHOT_VERSION = 1;

const entries = <K, V>(m: Map<K, V>): [K, V][] => [...m];

function plainMaking(m: MakingHolding): unknown {
  return { ...m, holds: entries(m.holds), tickets: entries(m.tickets), paidMinor: entries(m.paidMinor) };
}

export function productToPlain(s: ProductState): unknown {
  return {
    v: PRODUCT_SNAPSHOT_VERSION,
    productId: s.productId,
    def: s.def,
    status: s.status,
    refusal: s.refusal,
    lastNowMs: s.lastNowMs,
    performances: s.performances,
    links: entries(s.links),
    holdings: [...s.holdings.values()].map((h) => ({ ...h, tickets: entries(h.tickets), paidMinor: entries(h.paidMinor) })),
    nextHolding: s.nextHolding,
    nextSaga: s.nextSaga,
    sagas: [...s.sagas.values()].map((g) => ({ ...g, making: g.making.map(plainMaking) })),
    finished: entries(s.finished),
    finishedOld: entries(s.finishedOld),
    renewed: entries(s.renewed),
    renewalClosed: s.renewalClosed,
  };
}

type Plain<T> = { [K in keyof T]: T[K] extends Map<infer A, infer B> ? [A, B][] : T[K] };

export function productFromPlain(raw: unknown): ProductState {
  const p = raw as Omit<Plain<ProductState>, 'holdings' | 'sagas'> & { v: number; holdings: Plain<Holding>[]; sagas: (Omit<Saga, 'making'> & { making: Plain<MakingHolding>[] })[] };
  if (p.v !== PRODUCT_SNAPSHOT_VERSION) throw new Error(`product snapshot version ${p.v} is not ${PRODUCT_SNAPSHOT_VERSION}`);
  const making = (m: Plain<MakingHolding>): MakingHolding => ({ ...m, holds: new Map(m.holds), tickets: new Map(m.tickets), paidMinor: new Map(m.paidMinor) });
  return {
    productId: p.productId,
    def: p.def,
    status: p.status,
    refusal: p.refusal,
    lastNowMs: p.lastNowMs,
    performances: p.performances,
    links: new Map(p.links),
    holdings: new Map(p.holdings.map((h) => [h.holdingId, { ...h, tickets: new Map(h.tickets), paidMinor: new Map(h.paidMinor) }])),
    nextHolding: p.nextHolding,
    nextSaga: p.nextSaga,
    // `anchor` came later: a saga written before it has none.
    sagas: new Map(p.sagas.map((g) => [g.saga, { ...g, making: g.making.map(making), anchor: g.anchor ?? null }])),
    running: new Map(p.sagas.map((g) => [g.command.commandId, g.saga])),
    finished: new Map(p.finished),
    finishedOld: new Map(p.finishedOld),
    renewed: new Map(p.renewed),
    renewalClosed: p.renewalClosed,
    renewalHolders: renewalHoldersOf(p.def),
  };
}
