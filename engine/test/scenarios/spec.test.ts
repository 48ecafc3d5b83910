// createPerformance as a table: each line is the hall's set-up with one thing wrong, the code it
// must get and the field it must name; then the set-ups that are accepted and what they mean.
import { describe, expect, it } from 'vitest';
import { createPerformance, limits, type CodeName, type PerformanceSpec } from '../../src/domain/mod.ts';
import { OPEN, hall, hallSpec, holdSeats, newPerformance, play } from './helpers.ts';

/* eslint-disable @typescript-eslint/no-explicit-any -- the lines break the spec's types on purpose. */
interface Line { why: string; edit: (spec: any) => void; expect: Exclude<CodeName, 'OK'>; field: string }

const lines: Line[] = [
  { why: 'a performance id with a space', edit: (s) => { s.performanceId = 'P 1'; }, expect: 'SPEC_INVALID', field: 'performanceId' },
  { why: 'no performance id', edit: (s) => { delete s.performanceId; }, expect: 'SPEC_INVALID', field: 'performanceId' },
  { why: 'a performance id too long', edit: (s) => { s.performanceId = 'P'.repeat(65); }, expect: 'SPEC_INVALID', field: 'performanceId' },
  { why: 'a hold time under the minimum', edit: (s) => { s.holdTtlMs = limits.holdTtlMsMin - 1; }, expect: 'SPEC_INVALID', field: 'holdTtlMs' },
  { why: 'a hold time over the maximum', edit: (s) => { s.holdTtlMs = limits.holdTtlMsMax + 1; }, expect: 'SPEC_INVALID', field: 'holdTtlMs' },
  { why: 'a hold time as text', edit: (s) => { s.holdTtlMs = '60000'; }, expect: 'SPEC_INVALID', field: 'holdTtlMs' },
  { why: 'no tickets per buyer', edit: (s) => { s.maxTicketsPerBuyer = 0; }, expect: 'SPEC_INVALID', field: 'maxTicketsPerBuyer' },
  { why: 'tickets per buyer over the ceiling', edit: (s) => { s.maxTicketsPerBuyer = limits.ticketsPerBuyerCeiling + 1; }, expect: 'SPEC_INVALID', field: 'maxTicketsPerBuyer' },
  { why: 'no open holds per buyer', edit: (s) => { s.maxOpenHoldsPerBuyer = 0; }, expect: 'SPEC_INVALID', field: 'maxOpenHoldsPerBuyer' },
  { why: 'open holds per buyer over the ceiling', edit: (s) => { s.maxOpenHoldsPerBuyer = limits.openHoldsPerBuyerCeiling + 1; }, expect: 'SPEC_INVALID', field: 'maxOpenHoldsPerBuyer' },
  { why: 'no channels', edit: (s) => { s.channels = []; }, expect: 'SPEC_INVALID', field: 'channels' },
  { why: 'channels not a list', edit: (s) => { s.channels = { web: {} }; }, expect: 'SPEC_INVALID', field: 'channels' },
  { why: 'too many channels', edit: (s) => { s.channels = Array.from({ length: limits.channelsPerPerformanceMax + 1 }, (_, i) => ({ id: `c${i}`, kind: 'web', saleStartMs: 0, saleEndMs: 1 })); }, expect: 'SPEC_INVALID', field: 'channels' },
  { why: 'a channel that is not an object', edit: (s) => { s.channels[2] = null; }, expect: 'SPEC_INVALID', field: 'channels[2].id' },
  { why: 'a channel without an id', edit: (s) => { s.channels[1].id = ''; }, expect: 'SPEC_INVALID', field: 'channels[1].id' },
  { why: 'two channels with one id', edit: (s) => { s.channels[2].id = 'web'; }, expect: 'SPEC_DUPLICATE_ID', field: 'channels[2].id' },
  { why: 'an unknown channel kind', edit: (s) => { s.channels[0].kind = 'tv'; }, expect: 'SPEC_INVALID', field: 'channels[0].kind' },
  { why: 'a sale window that ends as it starts', edit: (s) => { s.channels[0].saleEndMs = s.channels[0].saleStartMs; }, expect: 'SPEC_INVALID', field: 'channels[0].saleEndMs' },
  { why: 'a sale window that ends before it starts', edit: (s) => { s.channels[1].saleEndMs = -5; }, expect: 'SPEC_INVALID', field: 'channels[1].saleEndMs' },
  { why: 'a fractional sale end', edit: (s) => { s.channels[0].saleEndMs = OPEN + 0.5; }, expect: 'SPEC_INVALID', field: 'channels[0].saleEndMs' },
  { why: 'a negative sale start', edit: (s) => { s.channels[0].saleStartMs = -1; }, expect: 'SPEC_INVALID', field: 'channels[0].saleStartMs' },
  { why: 'no sale start', edit: (s) => { delete s.channels[0].saleStartMs; }, expect: 'SPEC_INVALID', field: 'channels[0].saleStartMs' },
  { why: 'no ticket types', edit: (s) => { s.ticketTypes = []; }, expect: 'SPEC_INVALID', field: 'ticketTypes' },
  { why: 'too many ticket types', edit: (s) => { s.ticketTypes = Array.from({ length: limits.ticketTypesPerPerformanceMax + 1 }, (_, i) => ({ id: `t${i}`, prices: {} })); }, expect: 'SPEC_INVALID', field: 'ticketTypes' },
  { why: 'a ticket type without an id', edit: (s) => { delete s.ticketTypes[1].id; }, expect: 'SPEC_INVALID', field: 'ticketTypes[1].id' },
  { why: 'a ticket type id too long', edit: (s) => { s.ticketTypes[0].id = 't'.repeat(limits.idLengthMax + 1); }, expect: 'SPEC_INVALID', field: 'ticketTypes[0].id' },
  { why: 'two ticket types with one id', edit: (s) => { s.ticketTypes[3].id = 'adult'; }, expect: 'SPEC_DUPLICATE_ID', field: 'ticketTypes[3].id' },
  { why: 'a web code that is not text', edit: (s) => { s.ticketTypes[2].webCode = 7; }, expect: 'SPEC_INVALID', field: 'ticketTypes[2].webCode' },
  { why: 'no prices', edit: (s) => { s.ticketTypes[0].prices = null; }, expect: 'SPEC_INVALID', field: 'ticketTypes[0].prices' },
  { why: 'a price in a zone the layout lacks', edit: (s) => { s.ticketTypes[1].prices.Z = 100; }, expect: 'SPEC_UNKNOWN_ZONE', field: 'ticketTypes[1].prices.Z' },
  { why: 'a price in an inherited key', edit: (s) => { s.ticketTypes[1].prices = JSON.parse('{"toString": 100}'); }, expect: 'SPEC_UNKNOWN_ZONE', field: 'ticketTypes[1].prices.toString' },
  { why: 'a negative price', edit: (s) => { s.ticketTypes[0].prices.A = -1; }, expect: 'SPEC_INVALID', field: 'ticketTypes[0].prices.A' },
  { why: 'a fractional price', edit: (s) => { s.ticketTypes[0].prices.B = 12.5; }, expect: 'SPEC_INVALID', field: 'ticketTypes[0].prices.B' },
  { why: 'a price over the maximum', edit: (s) => { s.ticketTypes[0].prices.G = limits.priceMinorMax + 1; }, expect: 'SPEC_INVALID', field: 'ticketTypes[0].prices.G' },
  { why: 'a price as text', edit: (s) => { s.ticketTypes[0].prices.A = '5000'; }, expect: 'SPEC_INVALID', field: 'ticketTypes[0].prices.A' },
  { why: 'a default ticket type that does not exist', edit: (s) => { s.defaultTicketType = 'vip'; }, expect: 'SPEC_INVALID', field: 'defaultTicketType' },
];
/* eslint-enable @typescript-eslint/no-explicit-any */

describe('spec - createPerformance refuses a bad set-up and names the field', () => {
  it.each(lines)('$why: $expect at $field', (line) => {
    const spec = structuredClone(hallSpec());
    line.edit(spec);
    const created = createPerformance(spec, hall);
    expect(created.ok ? 'OK' : `${created.name} at ${created.field}`).toBe(`${line.expect} at ${line.field}`);
  });

  it('refuses a spec that is not an object', () => {
    expect(createPerformance(null as unknown as PerformanceSpec, hall)).toMatchObject({ ok: false, name: 'SPEC_INVALID', field: '' });
  });

  it('accepts the hall\'s set-up, and bounds at their limits', () => {
    expect(createPerformance(hallSpec(), hall).ok).toBe(true);
    const edge = hallSpec();
    edge.holdTtlMs = limits.holdTtlMsMin;
    edge.maxTicketsPerBuyer = limits.ticketsPerBuyerCeiling;
    edge.maxOpenHoldsPerBuyer = limits.openHoldsPerBuyerCeiling;
    edge.ticketTypes[0].prices = { A: 0, B: limits.priceMinorMax };
    expect(createPerformance(edge, hall).ok).toBe(true);
  });
});

describe('spec - what an accepted set-up means', () => {
  it('defaults to the first open ticket type, or the first of all when every type is closed', () => {
    const state = newPerformance((spec) => { spec.ticketTypes = spec.ticketTypes.filter((t) => t.webCode !== undefined); });
    play(state, [
      { at: OPEN, cmd: holdSeats('h1', 'ann', ['MAIN-1-1']), expect: 'TICKET_TYPE_REQUIRES_PRESALE', field: 'ticketType' },
    ]);
  });

  it('allows a ticket type with no prices; nothing can be held with it', () => {
    const state = newPerformance((spec) => { spec.ticketTypes.push({ id: 'none', prices: {} }); });
    play(state, [
      { at: OPEN, cmd: holdSeats('h1', 'ann', ['MAIN-1-1'], { ticketType: 'none' }), expect: 'TICKET_TYPE_NOT_PRICED_IN_ZONE', field: 'seats[0]' },
    ]);
  });

  it('keeps its own copy of the set-up: changing the spec object afterwards changes nothing', () => {
    const spec: PerformanceSpec = hallSpec();
    const created = createPerformance(spec, hall);
    if (!created.ok) throw new Error(created.name);
    spec.holdTtlMs = limits.holdTtlMsMin;
    spec.maxTicketsPerBuyer = 1;
    play(created.state, [
      { at: OPEN, cmd: holdSeats('h1', 'ann', ['MAIN-1-1', 'MAIN-1-2']), expect: 'OK', check: (r) => expect(r).toMatchObject({ expiresAtMs: OPEN + 60_000 }) },
    ]);
  });
});
