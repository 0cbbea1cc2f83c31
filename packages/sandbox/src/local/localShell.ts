/**
 * What `pnpm local:up` writes to `.local/local-env.sh`, and the per-source flags it takes for a
 * source the sandbox does not serve (a new one, with its own loopback double):
 *
 *   --secret <name>=<json>     the secret api-credentials/<name>, a JSON object of strings
 *   --base-url <name>=<url>    <NAME>_API_BASE_URL: the source's API (its double)
 *   --token-url <name>=<url>   <NAME>_AUTH_TOKEN_URL: its OAuth2 token endpoint
 *
 * Endpoints are per source (`sourceEnvName`, e.g. `HOTMART_AUTH_TOKEN_URL`), never the plain
 * `API_BASE_URL`/`AUTH_TOKEN_URL`: one shell serves every source, and no source sends its
 * credentials to another's token endpoint.
 */
import { SourceSchema, sourceEnvName } from '@tributary/core/definition';
import { SOURCE_NAMES } from '../sources.ts';
import type { LocalStack } from './startLocalStack.ts';

export interface SourceFlags {
  /** Secret name (`api-credentials/<source>`) → its JSON object. */
  secrets: Record<string, Record<string, string>>;
  /** `<SOURCE>_API_BASE_URL` / `<SOURCE>_AUTH_TOKEN_URL` → URL. */
  env: Record<string, string>;
}

/** A `local:up` flag that cannot be used, naming the flag, what is wrong and the expected form. */
export class LocalFlagError extends Error {
  override readonly name = 'LocalFlagError';
}

const FLAGS = {
  '--secret': 'secret',
  '--base-url': 'API_BASE_URL',
  '--token-url': 'AUTH_TOKEN_URL',
} as const;

/** Reads `--secret`, `--base-url` and `--token-url` (each repeatable) from the arguments. */
export function parseSourceFlags(argv: readonly string[]): SourceFlags {
  const flags: SourceFlags = { secrets: {}, env: {} };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] as keyof typeof FLAGS;
    if (!(flag in FLAGS)) continue;
    const form = `${flag} <source>=${flag === '--secret' ? '<json>' : '<url>'}`;
    const arg = argv[++i];
    const eq = arg?.indexOf('=') ?? -1;
    if (arg === undefined || eq <= 0)
      throw new LocalFlagError(`${flag} needs ${form} (got ${arg ?? 'nothing'})`);
    const source = arg.slice(0, eq);
    const value = arg.slice(eq + 1);
    if (!SourceSchema.shape.name.safeParse(source).success) {
      throw new LocalFlagError(
        `${flag} ${source}=…: "${source}" is not a source name (lowercase words joined by "-", as functions/<name>)`,
      );
    }
    const kind = FLAGS[flag];
    if (kind === 'secret') {
      flags.secrets[`api-credentials/${source}`] = parseSecret(flag, source, value);
    } else {
      if (!URL.canParse(value)) {
        throw new LocalFlagError(
          `${flag} ${source}=${value}: not an absolute URL (e.g. http://127.0.0.1:9000)`,
        );
      }
      flags.env[sourceEnvName(source, kind)] = value;
    }
  }
  return flags;
}

function parseSecret(flag: string, source: string, json: string): Record<string, string> {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    // The text may hold the secret: only the parser's complaint is shown.
    throw new LocalFlagError(
      `${flag} ${source}=…: not JSON (${(error as Error).message}); give an object, e.g. '{"client_id":"…","client_secret":"…"}'`,
    );
  }
  const entries =
    value !== null && typeof value === 'object' && !Array.isArray(value) ? Object.entries(value) : [];
  if (entries.length === 0 || entries.some(([, v]) => typeof v !== 'string')) {
    throw new LocalFlagError(
      `${flag} ${source}=…: must be a non-empty JSON object of string values (the keys the definition's auth reads)`,
    );
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

/**
 * The variables `.local/local-env.sh` exports: AWS at moto (`AWS_DEFAULT_REGION` too, which AWS CLI
 * v1 reads instead of `AWS_REGION`), the raw bucket, each source's endpoints.
 */
export function localShellEnv(
  stack: LocalStack,
  flags: SourceFlags = { secrets: {}, env: {} },
): Record<string, string> {
  const env: Record<string, string> = {
    ...stack.awsEnv,
    AWS_DEFAULT_REGION: stack.awsEnv.AWS_REGION!,
    TARGET_S3_BUCKET_NAME: stack.rawBucket,
    COORDINATION_TABLE: stack.coordinationTable,
  };
  for (const source of SOURCE_NAMES) {
    const own = stack.sandbox.env(source);
    if (own.API_BASE_URL) env[sourceEnvName(source, 'API_BASE_URL')] = own.API_BASE_URL;
    if (own.AUTH_TOKEN_URL) env[sourceEnvName(source, 'AUTH_TOKEN_URL')] = own.AUTH_TOKEN_URL;
  }
  return { ...env, ...flags.env };
}
