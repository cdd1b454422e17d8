/**
 * The log's HTTP interface (node:http, loopback by default):
 *
 *   POST /add                      body = entry bytes → 200 {"index":N,"treeSize":S} once durably sequenced
 *   GET  /checkpoint               latest signed checkpoint (text/plain; charset=utf-8, not cached)
 *   GET  /tile/<L>/<N>[.p/<W>]     hash tiles per C2SP tlog-tiles
 *   GET  /tile/entries/<N>[.p/<W>] entry bundles per C2SP tlog-tiles
 *
 * Read paths are exactly the tlog-tiles layout, so copying them to a static host makes a
 * complete read-only mirror. Errors are `{"error":{"code","message"}}` with a 4xx/5xx status.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LogError } from '../errors.js';
import { MAX_ENTRY_SIZE, parseTilePath, TILE_WIDTH } from '../tiles.js';
import { LOG_SERVICE_ERROR_CODES as C, LogServiceError } from './errors.js';
import { listen, readBody, requestPath, safeHandler, send, type RunningServer } from './http.js';
import { readTile } from './nodes.js';
import type { LogSequencer } from './sequencer.js';
import type { LogStorage } from './storage.js';

export interface LogServerOptions {
  readonly sequencer: LogSequencer;
  readonly storage: LogStorage;
  /** Largest POST /add body (default MAX_ENTRY_SIZE, the tlog-tiles entry limit). */
  readonly maxBodyBytes?: number;
}

const IMMUTABLE = 'public, max-age=31536000, immutable';
const OCTETS = 'application/octet-stream';

/** The request handler of a log server (for node:http createServer). */
export function createLogHandler(options: LogServerOptions): ReturnType<typeof safeHandler> {
  const { sequencer, storage } = options;
  const limit = Math.min(options.maxBodyBytes ?? MAX_ENTRY_SIZE, MAX_ENTRY_SIZE);
  return safeHandler(async (req: IncomingMessage, res: ServerResponse) => {
    const path = requestPath(req);
    const method = req.method ?? 'GET';
    const head = method === 'HEAD';
    if (path === '/add') {
      if (method !== 'POST') throw notAllowed('POST');
      const body = await readBody(req, limit);
      const r = await sequencer.add(body);
      send(res, 200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }, JSON.stringify({ index: r.index, treeSize: r.treeSize }) + '\n');
      return;
    }
    if (method !== 'GET' && !head) {
      if (path === '/checkpoint' || path?.startsWith('/tile/')) throw notAllowed('GET, HEAD');
      throw notFound(path);
    }
    if (path === '/checkpoint') {
      // tlog-tiles §Checkpoints: mutable, so no caching beyond a few seconds.
      send(res, 200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-cache, max-age=0' }, sequencer.checkpoint().note, head);
      return;
    }
    if (path !== undefined && path.startsWith('/tile/')) {
      let tile;
      try {
        tile = parseTilePath(path.slice(1));
      } catch (err) {
        if (err instanceof LogError) throw notFound(path);
        throw err;
      }
      const data = await readTile(storage, sequencer.checkpoint().size, tile);
      if (data === undefined) throw notFound(path);
      // Full tiles never change; a partial tile of one width never changes either, but may be dropped.
      const cache = tile.width === TILE_WIDTH ? IMMUTABLE : 'public, max-age=60';
      send(res, 200, { 'content-type': OCTETS, 'cache-control': cache }, data, head);
      return;
    }
    throw notFound(path);
  });
}

function notFound(path: string | undefined): LogServiceError {
  return new LogServiceError(C.NOT_FOUND, `no resource at ${JSON.stringify((path ?? '').slice(0, 200))}; the log serves /add, /checkpoint and /tile/...`);
}

function notAllowed(allowed: string): LogServiceError {
  return new LogServiceError(C.METHOD_NOT_ALLOWED, `method not allowed here; use ${allowed}`, { details: { allow: allowed } });
}

/** Starts a log server on 127.0.0.1 (port 0 = ephemeral). */
export function startLogServer(options: LogServerOptions & { readonly port?: number; readonly host?: string }): Promise<RunningServer> {
  return listen(createLogHandler(options), { ...(options.port !== undefined ? { port: options.port } : {}), ...(options.host !== undefined ? { host: options.host } : {}) });
}

