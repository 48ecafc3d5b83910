// A failed assertion is a bug, never a business refusal: the runtime rebuilds the actor from
// its snapshot and journal when one fires.
export class InvariantViolation extends Error {
  override readonly name = 'InvariantViolation';
}

export function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new InvariantViolation(message);
}
