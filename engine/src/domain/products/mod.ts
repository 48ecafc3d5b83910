// Products across performances: the pure coordinator (season cards, subscriptions, renewals,
// exchanges) and the settlement ledger. Re-exported by the domain's entry point.
export type * from './commands.ts';
export { isProductCommand } from './commands.ts';
export { executeProduct, pendingSteps, productNextDueAtMs, type ProductOutput } from './execute.ts';
export { isPending, isStepCommandId, stepCommandId, type Outbound, type SagaPending } from './outbound.ts';
export { productLimits, type ProductDropListener, type ProductState, type Holding, type StrandedTicket } from './state.ts';
export { strandedTickets } from './stranded.ts';
export { productFromPlain, productToPlain } from './snapshot.ts';
export { productSummary, productReport, productHoldings, renewalStatus, type ProductSummary, type ProductReport, type RenewalHolderStatus, type RenewalStatus } from './queries.ts';
export { allocationQuotaId, renewalQuotaId } from './sagas.ts';
export type { ExchangeDifference, HoldingResult } from './holdings.ts';
export type { CustomersResult } from './customers.ts';
export { settlementReport, settle, performanceEntries, productEntries, ledgerEntries, splitEvenly, type PerformanceFacts, type LedgerEntry, type SettlementReport } from './settlement.ts';
export { LocalProducts, misaddressed } from './local.ts';
