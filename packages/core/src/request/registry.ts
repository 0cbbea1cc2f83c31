/**
 * The request styles by `type`: adding a kind is adding its file and a line here (packages/core/README.md,
 * "Adding a kind"). The stream's `request` schema and type, its checks, the README's table and the
 * generator's choices come from this map.
 */
import type * as z from 'zod';
import { kindsOf, unionOf } from '../definition/kinds.ts';
import { form } from './form.ts';
import { get } from './get.ts';
import { json } from './json.ts';
import type { RequestKind, RequestStyle } from './types.ts';

export const requestKinds = { get, json, form };

/** A stream's `request`: one of the registered kinds, by `type`. */
export const RequestSchema = unionOf(requestKinds);
export type RequestDefinition = z.output<typeof RequestSchema>;

/** The kind of a definition, its methods taking that definition (`kindsOf`). */
const kindOf = kindsOf<RequestKind<typeof RequestSchema>>(requestKinds);

export function createRequestStyle(definition: RequestDefinition): RequestStyle {
  return kindOf(definition).create(definition);
}

/** The body's template texts by where they are, for `checkDefinition`. */
export function requestTemplates(definition: RequestDefinition): Record<string, string> {
  return kindOf(definition).templates(definition);
}

/** Whether a paginator may write into the request's body. */
export function carriesBody(definition: RequestDefinition): boolean {
  return kindOf(definition).carriesBody;
}
