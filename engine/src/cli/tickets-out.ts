// `--tickets-out FILE`: every ticket as one JSON line, with the fields other tools read
// (fixed by the runtime issue), and the product and resale fields of the ticket's order.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { TicketRow } from '../domain/mod.ts';

/** The holdings (season cards, subscriptions) the tickets belong to, each once, in the order first met. */
export function holdingsOf(tickets: readonly TicketRow[]): { holdingId: string; productId: string }[] {
  const seen = new Map<string, string>();
  for (const t of tickets) if (t.holdingId !== null && t.productId !== null && !seen.has(t.holdingId)) seen.set(t.holdingId, t.productId);
  return [...seen].map(([holdingId, productId]) => ({ holdingId, productId }));
}

/**
 * `fd`: the file, opened for writing once the run is done (its path was checked before the run,
 * so a path that cannot be written is refused before, not after, minutes of work) and closed
 * here; or 'stdout', this process' own, left open. `barcodes[i]` is the signed code of
 * `tickets[i]`, `holdingBarcodes` the signed code of each holding by id (the card's or
 * subscription's one code, on each of its tickets' lines) (engine/src/runtime/ticket-code.ts).
 */
export async function writeTickets(fd: number | 'stdout', tickets: readonly TicketRow[], barcodes: readonly string[], holdingBarcodes: ReadonlyMap<string, string>): Promise<void> {
  // The process' own stdout is written and left open (the summary follows); a file is closed.
  const out = fd === 'stdout' ? process.stdout : createWriteStream('', { fd });
  for (let i = 0; i < tickets.length; i++) {
    const t = tickets[i];
    const line = JSON.stringify({
      ticketId: t.ticketId,
      performanceId: t.performanceId,
      seatId: t.seatId,
      gaAreaId: t.gaAreaId,
      buyerId: t.buyerId,
      channel: t.channel,
      priceMinor: t.priceMinor - t.discountMinor,
      status: t.status,
      quotaId: t.quotaId,
      presaleCode: t.presaleCode,
      productId: t.productId,
      holdingId: t.holdingId,
      resaleOf: t.resaleOf,
      basePriceMinor: t.basePriceMinor,
      ticketType: t.ticketType,
      discountMinor: t.discountMinor,
      orderId: t.orderId,
      barcode: barcodes[i],
      holdingBarcode: t.holdingId === null ? null : (holdingBarcodes.get(t.holdingId) ?? null),
    });
    if (!out.write(line + '\n')) await once(out, 'drain');
  }
  if (out === process.stdout) return;
  out.end();
  await once(out, 'finish');
}
