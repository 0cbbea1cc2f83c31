/**
 * The generator's variants come from the core's kind registries: the definition it writes for a
 * kind is the kind's first example, a kind the core does not offer says what to do instead, and the
 * generated double's secret holds exactly the keys the kind reads.
 */
import { authKinds, paginatorKinds } from '@tributary/core/definition';
import { describe, expect, it } from 'vitest';
import { AUTH, AUTH_KINDS, PAGINATION, PAGINATION_KINDS, tsValue } from '../templates/new-source/variants.ts';

/** Evaluates generated TypeScript object text that holds only literals. */
const evaluate = (text: string): unknown => new Function(`return (${text});`)();

describe('the generator variants', () => {
  it.each(AUTH_KINDS)("auth %s: the core's choice, its first example, and a secret with its keys", (kind) => {
    const core = authKinds[kind];
    const variant = AUTH[kind];
    if (!core.generator.offered) {
      expect(variant).toEqual({ notGenerated: core.generator.instead });
      return;
    }
    if ('notGenerated' in variant) throw new Error(`${kind} is offered but has no variant`);
    const example = core.examples[0] as Record<string, unknown>;
    // no auth entry: the definition's default, `none`
    const written: unknown = variant.definition
      ? (evaluate(`{${variant.definition}}`) as { auth: unknown }).auth
      : { type: 'none' };
    expect(written).toEqual(example);
    const keys = core.secretKeyFields.map((field) => example[field]).filter((v) => typeof v === 'string');
    expect(Object.keys(variant.secret ?? {})).toEqual(keys);
  });

  it.each(PAGINATION_KINDS)("pagination %s: the paginator entry is the core's first example", (kind) => {
    expect(evaluate(PAGINATION[kind].paginator)).toEqual(paginatorKinds[kind].examples[0]);
  });

  it('writes values as the formatter does', () => {
    expect(tsValue({ type: 'x', n: 1, on: true, list: ['a'], 'a-b': "it's" })).toBe(
      "{ type: 'x', n: 1, on: true, list: ['a'], 'a-b': 'it\\'s' }",
    );
    expect(tsValue({})).toBe('{}');
  });
});
