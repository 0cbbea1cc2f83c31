/**
 * The decoders by `type`: adding a kind is adding its file and a line here (packages/core/README.md,
 * "Adding a kind"). The stream's `decoder` schema and type, its checks, the README's table and the
 * generator's choices all come from this map.
 */
import type * as z from 'zod';
import { kindsOf, unionOf } from '../definition/kinds.ts';
import { csv } from './csv.ts';
import { json } from './json.ts';
import { jsonl } from './jsonl.ts';
import type { DecoderKind, RecordTransform } from './types.ts';

export const decoderKinds = { json, jsonl, csv };

/** A stream's `decoder`: one of the registered kinds, by `type`. */
export const DecoderSchema = unionOf(decoderKinds);
export type DecoderDefinition = z.output<typeof DecoderSchema>;

/** The kind of a definition, its methods taking that definition (`kindsOf`). */
const kindOf = kindsOf<DecoderKind<typeof DecoderSchema>>(decoderKinds);

/** The streamed transform of a decoder; `undefined` for the buffered JSON path. */
export function createDecoder(definition: DecoderDefinition): RecordTransform | undefined {
  return kindOf(definition).create(definition);
}

/** Problems across the decoder's fields, each a sentence. */
export function checkDecoder(definition: DecoderDefinition): string[] {
  return kindOf(definition).check?.(definition) ?? [];
}
