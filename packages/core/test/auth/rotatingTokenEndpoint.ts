/**
 * A token endpoint whose refresh tokens rotate and are single-use, as Xero and QuickBooks Online
 * document (auth/oauth2RefreshToken.ts cites them): each `grant_type=refresh_token` exchange of the
 * current refresh token answers a new access token and a NEW refresh token, and invalidates the one
 * presented; presenting any other (a reused one) is `400 {"error":"invalid_grant"}`. Stricter than
 * Xero, which lets a spent token be reused for 30 minutes: here a reuse is always refused, so a
 * test that passes here does not lean on a grace period. Client auth: HTTP Basic.
 *
 * `/items` answers one record to a request bearing an access token it issued and has not expired
 * (`expire()` runs them all out), else 401. `hold()` keeps the next exchange unanswered and
 * unconsumed until released (a Lambda that crashes while it waits holds the lease, not the token).
 */
import { randomUUID } from 'node:crypto';
import type { ApiRequest, ApiRoute } from '@tributary/testkit';

export interface Exchange {
  presented: string | null;
  /** The refresh token issued, or why it was refused. */
  outcome: { issued: string; accessToken: string } | { refused: string };
}

export interface RotatingTokenEndpoint {
  routes: Record<string, ApiRoute>;
  exchanges: Exchange[];
  /** The one refresh token the endpoint accepts now. */
  current(): string;
  /** Every token it ever issued or accepted (to look for in output). */
  issued(): string[];
  /** Every access token issued so far stops working (they ran out). */
  expire(): void;
  /** Holds the next exchange: `seen` when it arrives; `release()` answers 503 without consuming. */
  hold(): { seen: Promise<void>; release: () => void };
  /** Runs `fn` when the next exchange arrives, before it is answered (another client got there first). */
  beforeNext(fn: () => Promise<void>): void;
  /** Exchanges the current refresh token as another client would: the token set it was issued. */
  rotate(): { refreshToken: string; accessToken: string };
}

export function rotatingTokenEndpoint(options: {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  expiresIn?: number;
}): RotatingTokenEndpoint {
  let current = options.refreshToken;
  const all = [options.refreshToken];
  const valid = new Set<string>();
  const exchanges: Exchange[] = [];
  let held: { arrived: () => void; released: Promise<void> } | undefined;
  const basic = `Basic ${Buffer.from(`${options.clientId}:${options.clientSecret}`).toString('base64')}`;

  let before: (() => Promise<void>) | undefined;
  function issue(presented: string | null) {
    const n = exchanges.length + 1;
    const issued = `rt-${n}-${randomUUID()}`;
    const accessToken = `at-${n}-${randomUUID()}`;
    current = issued;
    all.push(issued, accessToken);
    valid.add(accessToken);
    exchanges.push({ presented, outcome: { issued, accessToken } });
    return { issued, accessToken };
  }

  const token: ApiRoute = async (req: ApiRequest) => {
    if (before) {
      const fn = before;
      before = undefined;
      await fn();
    }
    if (held) {
      const h = held;
      held = undefined;
      h.arrived();
      await h.released;
      return { status: 503, body: { error: 'temporarily_unavailable' } };
    }
    const form = new URLSearchParams(req.body);
    const presented = form.get('refresh_token');
    if (req.method !== 'POST' || req.headers.authorization !== basic)
      return { status: 401, body: { error: 'invalid_client' } };
    if (form.get('grant_type') !== 'refresh_token')
      return { status: 400, body: { error: 'unsupported_grant_type' } };
    if (presented !== current) {
      exchanges.push({ presented, outcome: { refused: 'invalid_grant' } });
      return { status: 400, body: { error: 'invalid_grant' } };
    }
    const { issued, accessToken } = issue(presented);
    return {
      headers: { 'cache-control': 'no-store' },
      body: {
        access_token: accessToken,
        token_type: 'Bearer',
        expires_in: options.expiresIn ?? 1800,
        refresh_token: issued,
      },
    };
  };

  const items: ApiRoute = (req) => {
    const bearer = req.headers.authorization?.replace(/^Bearer /, '') ?? '';
    return valid.has(bearer) ? { body: [{ id: 1 }] } : { status: 401, body: { error: 'invalid_token' } };
  };

  return {
    routes: { '/connect/token': token, '/items': items },
    exchanges,
    current: () => current,
    issued: () => [...all],
    expire: () => valid.clear(),
    hold() {
      let arrived!: () => void;
      let release!: () => void;
      const seen = new Promise<void>((resolve) => {
        arrived = resolve;
      });
      held = { arrived, released: new Promise<void>((resolve) => (release = resolve)) };
      return { seen, release };
    },
    beforeNext(fn) {
      before = fn;
    },
    rotate() {
      const { issued, accessToken } = issue(current);
      return { refreshToken: issued, accessToken };
    },
  };
}

/** The exchanges that issued a token. */
export const granted = (e: Exchange[]) => e.filter((x) => 'issued' in x.outcome);
