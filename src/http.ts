import { randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { UserError } from './core/errors.js';
import { readableStack } from './core/stack.js';
import { createServer, type ServerOptions } from './server.js';

/**
 * Streamable HTTP transport. Loaded only with --http, so stdio start-up never pays for it.
 * Each HTTP session gets its own McpServer (and so its own roots and log level); file
 * locks and jobs are process wide, so sessions on one root do not trample each other.
 */
export const MCP_PATH = '/mcp';
const MAX_BODY_BYTES = 4 << 20;

export interface HttpHandle {
  url: string;
  close(): Promise<void>;
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

export function isLoopback(host: string): boolean {
  const name = host.toLowerCase();
  return LOOPBACK_NAMES.has(name) || /^127(\.\d{1,3}){3}$/.test(name);
}

export async function serveHttp(options: ServerOptions): Promise<HttpHandle> {
  const { host, port, token, allowedHosts, maxSessions, sessionIdleSec } = options.config.http;
  if (!isLoopback(host) && !token) {
    throw new UserError(`listening on ${host} needs a bearer token`, 'Set BATON_HTTP_TOKEN (16+ characters), or bind to 127.0.0.1');
  }
  const acceptedHosts = new Set([...LOOPBACK_NAMES, host.toLowerCase(), ...allowedHosts.map((h) => h.toLowerCase())]);
  const sessions = new Map<string, Session>();
  // Origins are compared whole (scheme, host and port) once the port is known.
  let acceptedOrigins = new Set<string>();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const refusal = checkRequest(req, acceptedHosts, acceptedOrigins, token);
    if (refusal) return void reply(res, refusal.status, refusal.message, refusal.headers);
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== MCP_PATH) return void reply(res, 404, `not found; the MCP endpoint is ${MCP_PATH}`);

    const sessionId = header(req, 'mcp-session-id');
    let body: unknown;
    if (req.method === 'POST') {
      try {
        body = await readJsonBody(req);
      } catch (error) {
        return void replyJsonRpcError(res, 400, -32700, `Parse error: ${(error as Error).message}`);
      }
    }
    if (sessionId) {
      const session = sessions.get(sessionId);
      if (!session) return void replyJsonRpcError(res, 404, -32001, 'Session not found; initialize a new session');
      session.lastActive = Date.now();
      return session.transport.handleRequest(req, res, body);
    }
    if (req.method !== 'POST' || !isInitializeRequest(body)) {
      return void replyJsonRpcError(res, 400, -32000, 'Bad Request: no mcp-session-id header; start with an initialize request');
    }
    if (sessions.size >= maxSessions) {
      return void replyJsonRpcError(
        res,
        503,
        -32000,
        `Too many sessions: ${sessions.size} are open (http.maxSessions); close one, or retry after idle ones expire`,
      );
    }
    const server = createServer(options);
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => void sessions.set(id, { transport, server, lastActive: Date.now() }),
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  };

  const http = createHttpServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      options.log.error(`http: ${readableStack(error)}`);
      if (!res.headersSent) replyJsonRpcError(res, 500, -32603, 'Internal server error');
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', (error: NodeJS.ErrnoException) =>
      reject(new UserError(`cannot listen on ${host}:${port} (${error.code ?? error.message})`, 'Choose another --port or --host')),
    );
    http.listen(port, host, resolve);
  });
  const address = http.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  acceptedOrigins = new Set([...acceptedHosts].map((name) => `http://${name.includes(':') && !name.startsWith('[') ? `[${name}]` : name}:${address.port}`));

  // Idle sessions are closed, so a client that never says goodbye does not hold memory forever.
  const sweep = setInterval(
    () => {
      const cutoff = Date.now() - sessionIdleSec * 1000;
      for (const [id, session] of sessions) {
        if (session.lastActive >= cutoff) continue;
        sessions.delete(id);
        options.log.info(`http: session ${id} closed after ${sessionIdleSec}s without a request`);
        void session.server.close().catch(() => {});
      }
    },
    Math.min(sessionIdleSec * 500, 60_000),
  );
  sweep.unref();

  return {
    url: `http://${shownHost}:${address.port}${MCP_PATH}`,
    close: async () => {
      clearInterval(sweep);
      await Promise.all([...sessions.values()].map(({ server }) => server.close().catch(() => {})));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

interface Refusal {
  status: number;
  message: string;
  headers?: Record<string, string>;
}

interface Session {
  transport: StreamableHTTPServerTransport;
  server: McpServer;
  /** Date.now() of the session's last request. */
  lastActive: number;
}

/** DNS-rebinding protection (Host, Origin) and the bearer token, before anything else runs. */
function checkRequest(req: IncomingMessage, acceptedHosts: Set<string>, acceptedOrigins: Set<string>, token: string | undefined): Refusal | undefined {
  const hostHeader = header(req, 'host');
  if (!hostHeader || !acceptedHosts.has(hostnameOf(hostHeader))) {
    return { status: 403, message: `Host ${hostHeader ?? '(none)'} is not accepted; add it to http.allowedHosts to allow it` };
  }
  const origin = header(req, 'origin');
  if (origin && !acceptedOrigins.has(normalOrigin(origin))) {
    return { status: 403, message: `Origin ${origin} is not accepted: only pages served by this server (${[...acceptedOrigins][0] ?? 'none'}) may call it` };
  }
  if (token) {
    const given = /^Bearer\s+(.+)$/i.exec(header(req, 'authorization') ?? '')?.[1] ?? '';
    if (!sameSecret(given, token)) {
      return { status: 401, message: 'missing or wrong bearer token', headers: { 'www-authenticate': 'Bearer realm="baton"' } };
    }
  }
  return undefined;
}

/** scheme://host:port, lower case, with the scheme's default port written out. */
function normalOrigin(origin: string): string {
  try {
    const url = new URL(origin);
    const port = url.port || (url.protocol === 'https:' ? '443' : url.protocol === 'http:' ? '80' : '');
    return `${url.protocol}//${url.hostname.toLowerCase()}:${port}`;
  } catch {
    return ''; // not a URL: accepted by nothing
  }
}

function hostnameOf(hostHeader: string): string {
  const name = hostHeader.toLowerCase();
  if (name.startsWith('[')) return name.slice(0, name.indexOf(']') + 1);
  const colon = name.lastIndexOf(':');
  return colon === -1 ? name : name.slice(0, colon);
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new Error(`body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

function reply(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers }).end(message + '\n');
}

function replyJsonRpcError(res: ServerResponse, status: number, code: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}
