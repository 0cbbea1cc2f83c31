/**
 * Starts one moto server (S3, Secrets Manager, Glue, …) on loopback for the whole test run and
 * hands its endpoint to every test through the standard AWS SDK v3 environment variables.
 * Tests keep out of each other's way by using their own bucket and secret names.
 */
import { type MotoServer, startMoto } from '@tributary/testkit';

let moto: MotoServer | undefined;

export async function setup(): Promise<void> {
  moto = await startMoto();
  process.env.AWS_ENDPOINT_URL = moto.endpoint;
  process.env.AWS_ACCESS_KEY_ID = 'testing';
  process.env.AWS_SECRET_ACCESS_KEY = 'testing';
  process.env.AWS_REGION = 'eu-west-2';
  process.env.POWERTOOLS_DEV = 'false';
}

export async function teardown(): Promise<void> {
  await moto?.stop();
}
