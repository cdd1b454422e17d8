/** Small node:http helpers shared by the log server and the witness: bounded bodies, coded errors. */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ProvenantError } from '../../core/index.js';
import { LOG_SERVICE_ERROR_CODES as C, LogServiceError, httpStatusFor } from './errors.js';

/** Reads a request body of at most `limit` bytes; throws TLOG_ENTRY_TOO_LARGE beyond it. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    const tooLarge = (): LogServiceError => new LogServiceError(C.ENTRY_TOO_LARGE, `request body is larger than ${limit} bytes`);
    if (Number.isFinite(declared) && declared > limit) {
      reject(tooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let n = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      n += chunk.length;
      if (n > limit) {
        done = true;
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!done) {
        done = true;
        resolve(Buffer.concat(chunks, n));
      }
    });
    req.on('error', (err) => {
      if (!done) {
        done = true;
        reject(err);
      }
    });
  });
}

/** Sends `{"error":{code,message}}` with the status the code maps to. */
export function sendError(res: ServerResponse, err: unknown): void {
  let status = 500;
  let body: Record<string, unknown> = { code: 'INTERNAL', message: 'internal error' };
  if (err instanceof ProvenantError) {
    status = err.kind === 'internal' ? (err.code === C.CLOSED ? 503 : 500) : httpStatusFor(err.code);
    body = { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) };
  }
  const text = JSON.stringify({ error: body }) + '\n';
  if (res.headersSent) {
    res.destroy();
    return;
  }
  // A body we refused to read stays in the socket: close the connection instead of parsing it as the next request.
  const close = status === 413;
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...(close ? { connection: 'close' } : {}),
  });
  res.end(text);
}

/** Sends a body with headers. */
export function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string | Buffer, head = false): void {
  const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  res.writeHead(status, { ...headers, 'content-length': buf.length });
  res.end(head ? undefined : buf);
}

/** A request handler that never throws: anything escaping `fn` becomes a coded error response. */
export function safeHandler(fn: (req: IncomingMessage, res: ServerResponse) => Promise<void>): RequestListener {
  return (req, res) => {
    fn(req, res).catch((err: unknown) => {
      try {
        sendError(res, err);
      } catch {
        res.destroy();
      }
    });
  };
}

/** A listening server. */
export interface RunningServer {
  readonly server: Server;
  readonly port: number;
  /** http://127.0.0.1:PORT */
  readonly url: string;
  close(): Promise<void>;
}

/** Listens on host (default 127.0.0.1) and port (0 = ephemeral). */
export function listen(handler: RequestListener, options: { readonly port?: number; readonly host?: string } = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer({ requestTimeout: 30_000, headersTimeout: 10_000 }, handler);
  server.keepAliveTimeout = 5_000;
  // Malformed HTTP never reaches the handler: answer 400 and drop the connection.
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      const port = (server.address() as AddressInfo).port;
      resolve({
        server,
        port,
        url: `http://${host}:${port}`,
        close: () =>
          new Promise<void>((res) => {
            server.close(() => res());
            server.closeAllConnections();
          }),
      });
    });
  });
}

/** The path of a request URL without query, or undefined when it cannot be parsed. */
export function requestPath(req: IncomingMessage): string | undefined {
  const raw = req.url ?? '/';
  // Fast path for the common plain path; anything with a query, escapes or odd form goes through URL.
  if (/^\/[A-Za-z0-9/._-]*$/.test(raw)) return raw;
  try {
    return new URL(req.url ?? '/', 'http://localhost').pathname;
  } catch {
    return undefined;
  }
}
