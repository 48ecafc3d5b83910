// The NATS transport's one public entry point: the durable bus, the command ingress and its client.
export { NatsBus, natsBusDefaults, type NatsBusOptions } from './nats-bus.ts';
export { NatsIngress, commandSubjectPrefix, querySubjectPrefix, stepItem, stepSubjectPrefix, type IngressItem, type NatsIngressOptions, type QueryRequest } from './nats-ingress.ts';
export { NatsEngineClient, type NatsClientOptions } from './nats-client.ts';
export { ShardCountMismatch } from './nats-leases.ts';
