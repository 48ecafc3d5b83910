// A tiny HTTP server for Prometheus: GET /metrics and nothing else. node:http, not the gateway's
// Fastify, so the engine can expose metrics without the gateway (`onsale serve` with metrics
// only). Loopback by default: metrics reveal traffic and performance ids, so a wider bind is an
// explicit choice.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** The port `onsale serve` exposes /metrics on unless told otherwise (Prometheus' range for exporters). */
export const metricsPortDefault = 9464;

export interface MetricsServerOptions {
  registry: Registry;
  /** 0 picks a free port; the bound one is `MetricsServer.port`. */
  port: number;
  host?: string;
}

export interface MetricsServer {
  readonly host: string;
  readonly port: number;
  /** http://host:port/metrics */
  readonly url: string;
  /** Stops listening and drops open (keep-alive) connections, so Prometheus cannot hold it open. */
  close(): Promise<void>;
}

export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const { registry, port } = options;
  const host = options.host ?? '127.0.0.1';
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new RangeError(`metrics port must be an integer 0-65535, got ${port}`);
  const server = createServer((request, response) => {
    void serve(registry, request, response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    host,
    port: bound,
    url: `http://${urlHost}:${bound}/metrics`,
    close: () => new Promise<void>((resolve, reject) => {
      server.close((error) => (error === undefined ? resolve() : reject(error)));
      server.closeAllConnections();
    }),
  };
}

async function serve(registry: Registry, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = (request.url ?? '/').split('?', 1)[0];
  if (path !== '/metrics') return reply(response, 404, 'not found: metrics are at /metrics\n');
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('Allow', 'GET, HEAD');
    return reply(response, 405, 'method not allowed\n');
  }
  try {
    const body = await registry.metrics();
    response.writeHead(200, { 'Content-Type': registry.contentType, 'Content-Length': Buffer.byteLength(body) });
    response.end(request.method === 'HEAD' ? undefined : body);
  } catch (error) {
    reply(response, 500, `collecting metrics failed: ${(error as Error).message}\n`);
  }
}

function reply(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  response.end(text);
}
