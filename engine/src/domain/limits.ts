// Every bound in the domain, named once, with its unit last. Hitting a bound is a typed
// rejection, never unbounded growth. The runtime has its own file for mailbox and batch bounds.

export const limits = {
  /** Seats in one layout; a seat index must fit the typed arrays. */
  seatsPerLayoutMax: 250_000,
  sectionsPerLayoutMax: 2_000,
  rowsPerSectionMax: 500,
  seatsPerRowMax: 500,
  gaAreasPerLayoutMax: 256,
  gaCapacityMax: 1_000_000,
  zonesPerLayoutMax: 64,
  idLengthMax: 64,
  /** Characters in a layout's display name (the layout's, a zone's, a section's, a GA area's). */
  displayNameLengthMax: 200,
  /** Levels a command's values may nest (its fields, a filter's fields, their lists...): checks.ts unkeepable. */
  commandDepthMax: 6,
  /** Characters of a value a refusal message quotes (checks.ts shown). */
  shownLengthMax: 160,

  channelsPerPerformanceMax: 32,
  ticketTypesPerPerformanceMax: 64,
  priceMinorMax: 100_000_000,

  /** Seats in one explicit or best-available hold. */
  seatsPerHoldMax: 10,
  /** General-admission places in one hold. */
  placesPerHoldMax: 10,
  /**
   * Seats one best-available hold may be told to skip (`exceptSeats`): a product coordinator's
   * retries skip at most seatsPerHoldMax seats each (productLimits.sameSeatAnchorTriesMax).
   */
  exceptSeatsMax: 100,
  /** Tickets in one voidTickets: a holding's tickets on one performance, one hold's worth. */
  ticketsPerVoidMax: 10,
  /** Open holds in one performance at once; protects memory during a surge. */
  holdsOpenPerPerformanceMax: 250_000,
  holdTtlMsMin: 10_000,
  holdTtlMsMax: 60 * 60_000,
  ticketsPerBuyerCeiling: 100,
  openHoldsPerBuyerCeiling: 20,
  /** Buyers with a live hold or a valid ticket in one performance. */
  buyersPerPerformanceMax: 2_000_000,
  /** Tickets ever issued for one performance (voids and resales issue new ones). */
  ticketsPerPerformanceMax: 1 << 24,

  /** Quota numbers must fit one byte per seat (0 is the general pool). */
  quotasPerPerformanceMax: 255,
  blocksPerPerformanceMax: 10_000,
  presalesPerPerformanceMax: 1_000,
  presaleTicketsMax: 1_000_000,
  /** Products (season cards, subscriptions) linked to one performance. */
  productsPerPerformanceMax: 64,
  /** Resale listings ever made on one performance (open, sold and withdrawn). */
  listingsPerPerformanceMax: 100_000,

  /**
   * Command ids remembered per performance for idempotent retries; the oldest is forgotten
   * first. The runtime keeps its own longer, time-based window in front of this one.
   */
  dedupeEntriesMax: 65_536,
  /**
   * Client sessions per performance (sessions.ts): one per client process (a gateway, a
   * simulator) that sends binary command batches, and one per linked product whose coordinator
   * sends its steps in batches (productsPerPerformanceMax: 64 of them). Each keeps its last
   * request and reply, so sessions x batchCommandsMax x 80 bytes (40 MB) bounds what they may
   * hold per performance, strings aside (a product's: its buyers, holdings and seats).
   */
  sessionsPerPerformanceMax: 128,
  /** Commands in one binary batch (binary.ts), as many as the runtime's router puts in one journal record. */
  batchCommandsMax: 4_096,
  /** Fates of closed binary holds kept (binary-fates.ts): 5 bytes each, once the first one closes. */
  binaryFatesMax: 65_536,
  /** Binary holds ever made on one performance: their numbers are 31-bit. */
  binaryHoldsMax: 0x7fffffff,
  /**
   * Fates of closed holds kept after their commands are forgotten (closed-fates.ts): a table of
   * one slot per place of the venue (5.25 bytes each), as a power of two within these bounds,
   * allocated at the first such hold.
   */
  closedHoldFatesMin: 1_024,
  closedHoldFatesMax: 65_536,
  /** Holds expired by one command before it runs; the rest wait for the next command. */
  expiriesPerCommandMax: 4_096,
} as const;
