// Several observers behind one: the metrics and, say, the NATS ingress both follow lease changes.
import type { EngineObserver } from './engine.ts';

export function combineObservers(...observers: EngineObserver[]): EngineObserver {
  const all = <K extends keyof EngineObserver>(key: K) => observers.map((o) => o[key]).filter((f): f is NonNullable<EngineObserver[K]> => f !== undefined);
  const applied = all('applied'), refused = all('refused'), journaled = all('journaled');
  const snapshotted = all('snapshotted'), mailbox = all('mailbox'), leaseChanged = all('leaseChanged'), sagaAnswered = all('sagaAnswered');
  return {
    applied: (...a) => { for (const f of applied) f(...a); },
    refused: (...a) => { for (const f of refused) f(...a); },
    journaled: (...a) => { for (const f of journaled) f(...a); },
    snapshotted: (...a) => { for (const f of snapshotted) f(...a); },
    mailbox: (...a) => { for (const f of mailbox) f(...a); },
    leaseChanged: (...a) => { for (const f of leaseChanged) f(...a); },
    sagaAnswered: (...a) => { for (const f of sagaAnswered) f(...a); },
  };
}
