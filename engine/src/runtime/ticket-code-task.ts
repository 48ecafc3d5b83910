// One piscina task: sign a batch of ticket codes, or of holding codes. Stateless, so any pool
// thread can take it.
import { signHoldingCode, signTicketCode, type CodeSubject, type HoldingSubject } from './ticket-code.ts';

export type SignTask = { keyHex: string; tickets: CodeSubject[] } | { keyHex: string; holdings: HoldingSubject[] };

export default function signBatch(task: SignTask): string[] {
  if ('holdings' in task) return task.holdings.map((h) => signHoldingCode(task.keyHex, h));
  return task.tickets.map((t) => signTicketCode(task.keyHex, t));
}
