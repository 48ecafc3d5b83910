// Several observers behind one: the metrics and, say, the NATS ingress both follow lease changes.
import type { EngineObserver } from './engine.ts';

/** Every hook of EngineObserver; `satisfies` makes a hook added there and missing here a type error. */
const hooks = {
  applied: true, sagaAnswered: true, refused: true, journaled: true, snapshotted: true, mailbox: true, leaseChanged: true, forwarded: true,
} as const satisfies Record<keyof EngineObserver, true>;

export function combineObservers(...observers: EngineObserver[]): EngineObserver {
  const combined: Record<string, (...args: unknown[]) => void> = {};
  for (const key of Object.keys(hooks) as (keyof EngineObserver)[]) {
    const fns = observers.map((o) => o[key] as ((...args: unknown[]) => void) | undefined).filter((f) => f !== undefined);
    if (fns.length > 0) combined[key] = (...args) => { for (const f of fns) f(...args); };
  }
  return combined as EngineObserver;
}
