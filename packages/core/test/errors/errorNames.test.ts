/**
 * Each error class says whether the state machine retries it (`static retryable`), every error
 * carries its class's answer, and the name lists the state machine is checked against
 * (test/stepfunctions) derive from the classes — for every TributaryError subclass core has.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  AuthError,
  ERROR_CLASSES,
  FATAL_ERROR_NAMES,
  HttpError,
  MalformedResponseError,
  RateLimitedError,
  RETRYABLE_ERROR_NAMES,
  RefreshTokenLostError,
  TransientError,
  TributaryError,
} from '../../src/errors.ts';

const src = join(import.meta.dirname, '../../src');
/** Options every error class accepts (each takes what it needs). */
const OPTIONS = {
  secretName: 'api-credentials/example',
  status: 503,
  url: 'https://api.example.com/x',
  snippet: '',
  attempts: 3,
  reason: 'HTTP 503',
  jobId: '750R0000000zlh9IAA',
};

/** Every class a module of packages/core/src exports that extends TributaryError. */
async function allErrorClasses(): Promise<Set<unknown>> {
  const found = new Set<unknown>();
  const files = readdirSync(src, { recursive: true, encoding: 'utf8' }).filter(
    (f) => f.endsWith('.ts') && !f.endsWith('.d.ts'),
  );
  for (const file of files) {
    const mod = (await import(join(src, file))) as Record<string, unknown>;
    for (const value of Object.values(mod))
      if (typeof value === 'function' && value.prototype instanceof TributaryError) found.add(value);
  }
  return found;
}

describe('error names derived from the classes', () => {
  it.each(ERROR_CLASSES.map((c) => [c.name, c] as const))(
    '%s: an instance carries its class name and its class retryable',
    (name, ErrorClass) => {
      const error = new ErrorClass('m', OPTIONS);
      expect(error.name).toBe(name);
      expect(error.retryable).toBe(ErrorClass.retryable);
      expect(error).toBeInstanceOf(TributaryError);
    },
  );

  it('retries transient failures, rate limits and storage hiccups; the rest is fatal', () => {
    expect(RETRYABLE_ERROR_NAMES).toEqual(['TransientError', 'RateLimitedError', 'SinkError']);
    expect(FATAL_ERROR_NAMES).toEqual([
      'DefinitionError',
      'EventValidationError',
      'ConfigurationError',
      'SecretError',
      'AuthError',
      'HttpError',
      'MalformedResponseError',
      'PaginationLoopError',
      'TemplateError',
      'StorageAccessError',
      'RefreshTokenLostError',
      'WindowSliceError',
      'JobFailedError',
      'JobTimeoutError',
    ]);
  });

  it('lists every TributaryError subclass in packages/core/src, each once', async () => {
    const classes = await allErrorClasses();
    const missing = [...classes].filter((c) => !(ERROR_CLASSES as readonly unknown[]).includes(c));
    expect(missing.map((c) => (c as { name: string }).name)).toEqual([]);
    expect(new Set(ERROR_CLASSES.map((c) => c.name)).size).toBe(ERROR_CLASSES.length);
  });

  it.each([
    [HttpError, { status: 404, url: 'https://api.example.com/x', snippet: 'not found' }],
    [AuthError, { status: 401, url: 'https://api.example.com/x', snippet: '' }],
    [TransientError, { attempts: 3, reason: 'HTTP 503' }],
    [RateLimitedError, { attempts: 5, reason: 'HTTP 429' }],
    [MalformedResponseError, { snippet: '<html>' }],
    [RefreshTokenLostError, { secretName: 'api-credentials/example' }],
  ] as const)('%O keeps its named facts as fields, and nothing else of its options', (ErrorClass, facts) => {
    const options = {
      ...facts,
      where: { stream: 's' },
      cause: new Error('c'),
      headers: { authorization: 'x' },
    };
    const error = new ErrorClass('m', options as never);
    expect(error).toMatchObject(facts);
    expect(error).not.toHaveProperty('headers');
    expect(error.where).toEqual({ stream: 's' });
    expect(error.cause).toBe(options.cause);
    expect(error.message).toBe('m [stream s]');
  });
});
