/**
 * The contract of a decoder: what turns a response body into records. `json` is the buffered path
 * (`http/readStream.ts`: the body parsed, or scanned as the API's bytes, and `records` selected);
 * every other kind is streamed: the body's bytes (decompressed, `decoding/compression.ts`) are piped
 * through the kind's `Transform` into records as they arrive, never held whole
 * (`decoding/readFile.ts`).
 */
import type { Transform } from 'node:stream';
import type * as z from 'zod';
import type { GeneratorChoice, KindBase, KindSchema } from '../definition/kinds.ts';

/** Where a decoder is at, for its errors: the stream, and the file's URL (secrets stripped). */
export interface DecodeWhere {
  source: string;
  stream: string;
  url: string;
}

/**
 * A streamed decoder: a `Transform` from bytes to records (readable side in object mode, one
 * `Record<string, unknown>` per chunk). A malformed row fails the transform with a typed error.
 * It may be asynchronous: a kind's library is then loaded on first use, not by every Lambda's cold
 * init (bench/FINDINGS.md, issue 14's regression check).
 */
export type RecordTransform = (where: DecodeWhere) => Transform | Promise<Transform>;

/**
 * A decoder kind, one module (`decoding/<type>.ts`), registered in `decoding/registry.ts`.
 */
export interface DecoderKind<S extends z.ZodType = KindSchema> extends KindBase<S> {
  /** The README's table row (definition/README.md, "Decoders"). */
  doc: { decodes: string; records: string };
  /** Problems across the kind's fields the schema cannot express, each a sentence. */
  check?(definition: z.output<S>): string[];
  /** The streamed transform; `undefined`: the buffered JSON path (`records` applies). */
  create(definition: z.output<S>): RecordTransform | undefined;
}

/** Declares a decoder kind (see `paginatorKind`): its schema's type flows into `create` and `check`. */
export const decoderKind = <S extends KindSchema, const G extends GeneratorChoice>(
  kind: DecoderKind<S> & { generator: G },
): DecoderKind<S> & { generator: G } => kind;
