/**
 * Redis connection settings from a redis:// or rediss:// URL, and a fast reachability check: the
 * Redis client reconnects forever by default, so an unreachable server would otherwise hang the
 * command instead of failing in one line.
 */
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { Redis } from 'ioredis';
import { DistError } from './errors.js';

export interface RedisConnection {
  readonly host: string;
  readonly port: number;
  readonly username?: string;
  readonly password?: string;
  readonly db?: number;
  readonly tls?: { readonly servername: string };
}

export interface RedisTarget {
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  /** Connection settings (a subset of ioredis options). */
  readonly connection: RedisConnection;
  /** The URL without its password, for messages. */
  readonly display: string;
}

/** Parses `redis://[user:pass@]host[:port][/db]` (or rediss:// for TLS); DIST_REDIS_URL on anything else. */
export function parseRedisUrl(url: string): RedisTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new DistError('DIST_REDIS_URL', `${JSON.stringify(url)} is not a URL; give redis://HOST:PORT[/DB]`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new DistError('DIST_REDIS_URL', `unsupported scheme ${u.protocol} in the Redis URL; use redis:// or rediss://`);
  if (u.hostname === '') throw new DistError('DIST_REDIS_URL', 'the Redis URL has no host; give redis://HOST:PORT[/DB]');
  const port = u.port === '' ? 6379 : Number(u.port);
  const dbText = u.pathname.replace(/^\//, '');
  if (dbText !== '' && !/^\d{1,2}$/.test(dbText)) throw new DistError('DIST_REDIS_URL', `Redis database ${JSON.stringify(dbText)} must be a number 0..99`);
  const tls = u.protocol === 'rediss:';
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const connection: RedisConnection = {
    host,
    port,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(dbText !== '' ? { db: Number(dbText) } : {}),
    ...(tls ? { tls: { servername: host } } : {}),
  };
  const display = `${u.protocol}//${u.username ? `${u.username}@` : ''}${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  return { host, port, tls, connection, display };
}

/** Resolves when a TCP (or TLS) connection to the server opens; DIST_REDIS_UNREACHABLE otherwise. */
export function checkReachable(t: RedisTarget, timeoutMs = 3000): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = t.tls ? tlsConnect({ host: t.host, port: t.port, servername: t.host }) : netConnect({ host: t.host, port: t.port });
    const fail = (why: string): void => {
      socket.destroy();
      reject(new DistError('DIST_REDIS_UNREACHABLE', `cannot reach Redis at ${t.display} (${why}); start Redis or fix the URL`));
    };
    const timer = setTimeout(() => fail(`no answer in ${timeoutMs} ms`), timeoutMs);
    socket.once(t.tls ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      socket.end();
      resolve();
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      fail(err.code ?? err.message);
    });
  });
}

/**
 * A Redis client for BullMQ (which, as ESM, needs a constructed client). Blocking commands
 * must not be retried per request (BullMQ's requirement for workers); the caller closes it.
 */
export function createRedisClient(t: RedisTarget): Redis {
  const client = new Redis({ ...t.connection, maxRetriesPerRequest: null });
  // Errors reach callers as rejected commands; unheard 'error' events would crash the process.
  client.on('error', () => undefined);
  return client;
}
