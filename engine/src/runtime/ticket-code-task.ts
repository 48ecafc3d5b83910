// One piscina task: sign a batch of ticket codes. Stateless, so any pool thread can take it.
import { signTicketCode, type CodeSubject } from './ticket-code.ts';

export default function signBatch(task: { keyHex: string; tickets: CodeSubject[] }): string[] {
  return task.tickets.map((t) => signTicketCode(task.keyHex, t));
}
