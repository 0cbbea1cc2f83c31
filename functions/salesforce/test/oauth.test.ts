/**
 * The Salesforce double answers as the cited pages document (README "What the double reproduces"):
 * the token endpoint's client credentials and JWT bearer flows and their refusals.
 */
import { createSign, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { JWT_BEARER_GRANT, SECRET } from '../double/index.ts';
import { serve } from './support/serveOrg.ts';

describe('salesforce double: OAuth 2.0 token endpoint', () => {
  it('issues a token for the client credentials flow, in the body or as a Basic header', async () => {
    const { token, url } = await serve();
    const inBody = await token();
    expect(inBody.status).toBe(200);
    expect(inBody.body).toMatchObject({ token_type: 'Bearer', scope: 'api', instance_url: url });
    expect(inBody.body.access_token).toMatch(/^00D\w+!/);
    expect(inBody.body).not.toHaveProperty('expires_in');
    const basic = await fetch(`${url}/services/oauth2/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${SECRET.client_id}:${SECRET.client_secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    expect(basic.status).toBe(200);
  });

  it('refuses a wrong secret or an unknown grant with the documented error bodies', async () => {
    const { token } = await serve();
    expect(
      await token({ grant_type: 'client_credentials', client_id: SECRET.client_id, client_secret: 'nope' }),
    ).toEqual({
      status: 400,
      body: { error: 'invalid_client', error_description: 'invalid client credentials' },
    });
    expect(await token({ grant_type: 'password' })).toEqual({
      status: 400,
      body: { error: 'unsupported_grant_type', error_description: 'grant type not supported' },
    });
  });

  it('exchanges a signed JWT bearer assertion, and refuses a bad signature or a stranger', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const { token } = await serve({
      client: {
        ...{ clientId: SECRET.client_id, clientSecret: SECRET.client_secret },
        jwt: {
          publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }) as string,
          username: 'integration@example.com',
          audience: 'https://login.salesforce.com',
        },
      },
    });
    const sign = (claims: Record<string, unknown>, key = privateKey) => {
      const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const input = `${part({ alg: 'RS256' })}.${part(claims)}`;
      return `${input}.${createSign('RSA-SHA256').update(input).sign(key).toString('base64url')}`;
    };
    const claims = {
      iss: SECRET.client_id,
      sub: 'integration@example.com',
      aud: 'https://login.salesforce.com',
      exp: Math.floor(Date.now() / 1000) + 120,
    };
    expect((await token({ grant_type: JWT_BEARER_GRANT, assertion: sign(claims) })).status).toBe(200);
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    expect((await token({ grant_type: JWT_BEARER_GRANT, assertion: sign(claims, other) })).body).toEqual({
      error: 'invalid_grant',
      error_description: 'invalid assertion',
    });
    expect(
      (await token({ grant_type: JWT_BEARER_GRANT, assertion: sign({ ...claims, sub: 'x@y.z' }) })).body,
    ).toEqual({
      error: 'invalid_grant',
      error_description: "user hasn't approved this consumer",
    });
  });
});
