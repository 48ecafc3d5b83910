// The set-up of the default simulation: one stadium performance (60,000 seats) with a web sale,
// a fan-club presale link the hour before, and a partner contingent sold on the partner channel.
import type { PerformanceSpec } from '../domain/mod.ts';
import type { EngineCommand } from '../runtime/mod.ts';

/** On-sale opens at 2026-12-01 10:00 UTC (simulated time). */
export const ONSALE_AT_MS = Date.UTC(2026, 11, 1, 10, 0, 0);
export const PRESALE_FROM_MS = ONSALE_AT_MS - 60 * 60_000;
export const HOLD_TTL_MS = 10 * 60_000;
export const MAX_TICKETS_PER_BUYER = 6;
export const PRESALE_CODE = 'FANCLUB-2026';
export const PARTNER_QUOTA = 'PARTNER-TRAVEL';
/** The partner contingent: the last two sections (S139, S140), 3,000 seats. */
export const PARTNER_SECTIONS = 2;
export const SEATS_PER_SECTION = 1_500;
export const SECTIONS = 40;

export function stadiumSpec(performanceId: string): PerformanceSpec {
  const closeMs = ONSALE_AT_MS + 30 * 24 * 3_600_000;
  return {
    performanceId,
    organizerId: 'ORG-1',
    holdTtlMs: HOLD_TTL_MS,
    maxTicketsPerBuyer: MAX_TICKETS_PER_BUYER,
    maxOpenHoldsPerBuyer: 2,
    channels: [
      { id: 'web', kind: 'web', saleStartMs: ONSALE_AT_MS, saleEndMs: closeMs },
      { id: 'partner', kind: 'partner', saleStartMs: PRESALE_FROM_MS, saleEndMs: closeMs },
      { id: 'box', kind: 'boxOffice', saleStartMs: ONSALE_AT_MS, saleEndMs: closeMs },
    ],
    ticketTypes: [
      { id: 'adult', name: 'Adult', prices: { A: 9_900, B: 7_900, C: 6_900, D: 4_900 } },
      { id: 'fanclub', name: 'Fan club presale', webCode: '!fanclub', prices: { A: 8_900, B: 6_900, C: 5_900, D: 3_900 } },
    ],
    defaultTicketType: 'adult',
  };
}

/** The organizer's set-up commands, in order, before the first buyer arrives. */
export function setupCommands(performanceId: string, seatIds: readonly string[]): EngineCommand[] {
  const partnerSeats = seatIds.slice((SECTIONS - PARTNER_SECTIONS) * SEATS_PER_SECTION, SECTIONS * SEATS_PER_SECTION);
  return [
    { type: 'openPerformance', commandId: `${performanceId}-open`, venue: 'stadium', spec: stadiumSpec(performanceId) },
    { type: 'createQuota', commandId: `${performanceId}-quota`, quotaId: PARTNER_QUOTA, channels: ['partner'], policy: 'onlyQuota', seats: partnerSeats, discountPct: 10 },
    {
      type: 'createPresale', commandId: `${performanceId}-presale`, code: PRESALE_CODE, ticketType: 'fanclub',
      validFromMs: PRESALE_FROM_MS, validUntilMs: ONSALE_AT_MS, totalMax: 6_000, perBuyerMax: 4,
    },
  ];
}
