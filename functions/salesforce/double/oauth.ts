/**
 * The org's OAuth 2.0 token endpoint, `POST /services/oauth2/token` (a form body), for the two
 * server-to-server flows:
 * - client credentials ("OAuth 2.0 Client Credentials Flow for Server-to-Server Integration"):
 *   `grant_type=client_credentials` with the consumer key and secret as `client_id`/`client_secret`
 *   in the body or as a Basic header;
 * - JWT bearer ("OAuth 2.0 JWT Bearer Flow for Server-to-Server Integration"):
 *   `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<RS256 JWT>` whose `iss` is
 *   the consumer key, `sub` the username, `aud` the login URL, `exp` not more than 3 minutes past.
 * A success is `200 { access_token, signature, scope, instance_url, id, token_type: 'Bearer',
 * issued_at }` (no `expires_in`: the session lasts the org's session timeout). A refusal is `400
 * { error, error_description }`: `invalid_client` / `invalid client credentials`,
 * `invalid_grant` / `invalid assertion` or `user hasn't approved this consumer`,
 * `unsupported_grant_type` / `grant type not supported`.
 */
import { createHash, createVerify } from 'node:crypto';
import type { ApiReply, ApiRequest } from '@tributary/testkit';

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

export interface OAuthClient {
  clientId: string;
  clientSecret: string;
  /** The JWT bearer flow: the connected app's certificate (public key, PEM) and the integration user. */
  jwt?: { publicKeyPem: string; username: string; audience: string };
}

const refuse = (error: string, description: string): ApiReply => ({
  status: 400,
  body: { error, error_description: description },
});

function clientOf(req: ApiRequest, form: URLSearchParams): { id?: string; secret?: string } {
  const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '');
  if (basic) {
    const [id, secret] = Buffer.from(basic[1] as string, 'base64')
      .toString('utf8')
      .split(':');
    return { id, secret };
  }
  return { id: form.get('client_id') ?? undefined, secret: form.get('client_secret') ?? undefined };
}

const b64url = (part: string): Buffer => Buffer.from(part, 'base64url');

/** `undefined` when the assertion is good; else why not, as the endpoint says it. */
function assertionRefusal(client: OAuthClient, assertion: string, nowSeconds: number): ApiReply | undefined {
  const jwt = client.jwt;
  if (!jwt) return refuse('unsupported_grant_type', 'grant type not supported');
  const parts = assertion.split('.');
  if (parts.length !== 3) return refuse('invalid_grant', 'invalid assertion');
  const [header, payload, signature] = parts as [string, string, string];
  let claims: Record<string, unknown>;
  try {
    const h = JSON.parse(b64url(header).toString('utf8'));
    if (h.alg !== 'RS256') return refuse('invalid_grant', 'invalid assertion');
    claims = JSON.parse(b64url(payload).toString('utf8'));
  } catch {
    return refuse('invalid_grant', 'invalid assertion');
  }
  const verifier = createVerify('RSA-SHA256').update(`${header}.${payload}`);
  if (!verifier.verify(jwt.publicKeyPem, b64url(signature)))
    return refuse('invalid_grant', 'invalid assertion');
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (claims.iss !== client.clientId) return refuse('invalid_client_id', 'client identifier invalid');
  if (!aud.includes(jwt.audience)) return refuse('invalid_grant', 'audience is invalid');
  const exp = Number(claims.exp);
  // Salesforce allows 3 minutes of clock skew past `exp`.
  if (!Number.isFinite(exp) || exp < nowSeconds - 180) return refuse('invalid_grant', 'invalid assertion');
  if (claims.sub !== jwt.username) return refuse('invalid_grant', "user hasn't approved this consumer");
  return undefined;
}

/** Answers a token request; `issue()` makes and records a new access token. */
export function tokenEndpoint(req: ApiRequest, client: OAuthClient, issue: () => string): ApiReply {
  if (req.method !== 'POST')
    return { status: 405, body: [{ errorCode: 'METHOD_NOT_ALLOWED', message: 'HTTP Method not allowed' }] };
  const form = new URLSearchParams(req.body);
  const grant = form.get('grant_type');
  if (grant === 'client_credentials') {
    const { id, secret } = clientOf(req, form);
    if (id !== client.clientId || secret !== client.clientSecret)
      return refuse('invalid_client', 'invalid client credentials');
  } else if (grant === JWT_BEARER_GRANT) {
    const refused = assertionRefusal(client, form.get('assertion') ?? '', Math.floor(Date.now() / 1000));
    if (refused) return refused;
  } else {
    return refuse('unsupported_grant_type', 'grant type not supported');
  }
  const token = issue();
  const instanceUrl = `http://${req.headers.host ?? '127.0.0.1'}`;
  const issuedAt = String(Date.now());
  return {
    body: {
      access_token: token,
      signature: createHash('sha256').update(`${token}${issuedAt}`).digest('base64'),
      scope: 'api',
      instance_url: instanceUrl,
      id: `${instanceUrl}/id/00DR0000000DOUBLE/005R0000000INTEGR`,
      token_type: 'Bearer',
      issued_at: issuedAt,
    },
  };
}
