import * as z from 'zod';
import { Scalar } from '../definition/fields.ts';
import { compileTemplate, renderTemplate } from '../template/template.ts';
import { missingValue } from './bodyTemplate.ts';
import { requestKind } from './types.ts';

const WINDOW = new Set(['since', 'until']);

/**
 * A POST or PUT with an `application/x-www-form-urlencoded` body. Each field is a template; a list
 * repeats the field once per value, in order. A body paginator sets its field (`param`, as named).
 */
export const form = requestKind({
  schema: z.strictObject({
    type: z.literal('form'),
    method: z.enum(['POST', 'PUT']),
    /** The form's fields (field → template). @default {} */
    fields: z.record(z.string(), z.union([Scalar, z.array(Scalar).min(1)])).default({}),
    /** 5xx, timeouts and resets may be sent again: the call changes nothing or is deduplicated. @default false */
    retrySafe: z.boolean().default(false),
  }),
  doc: {
    sends: '`method` with the form `fields` (each a template; a body paginator sets its field)',
    retries: '429 and a refused connection always; 5xx, timeouts, resets only with `retrySafe: true`',
  },
  examples: [
    { type: 'form', method: 'POST', fields: { query: 'updated>{since}', 'types[]': ['a', 'b'] } },
    { type: 'form', method: 'PUT', fields: { owner: '{owner}' }, retrySafe: true },
  ],
  generator: {
    offered: false,
    instead: "write request: { type: 'form', method: 'POST', fields: {…} } by hand",
  },
  carriesBody: true,
  templates: (definition) =>
    Object.fromEntries(
      Object.entries(definition.fields).flatMap(([k, v]) =>
        Array.isArray(v)
          ? v.map((one, i) => [`fields.${k}.${i}`, String(one)])
          : [[`fields.${k}`, String(v)]],
      ),
    ),
  create(definition) {
    const fields = Object.entries(definition.fields).flatMap(([k, v]) =>
      (Array.isArray(v) ? v : [v]).map((one) => [k, compileTemplate(String(one))] as const),
    );
    return {
      method: definition.method,
      retrySafe: definition.retrySafe,
      templates: fields.map(([, t]) => t),
      render(values, where) {
        const out: [string, string][] = [];
        for (const [key, template] of fields) {
          const value = renderTemplate(template, values);
          if (value.missing === undefined) out.push([key, value.value]);
          else if (!WINDOW.has(value.missing)) throw missingValue(where, `fields.${key}`, value.missing);
        }
        return out;
      },
      encode(rendered, set) {
        const form = new URLSearchParams(rendered as [string, string][]);
        for (const [key, value] of Object.entries(set ?? {}))
          form.set(key, typeof value === 'string' ? value : JSON.stringify(value));
        return { body: form.toString(), contentType: 'application/x-www-form-urlencoded' };
      },
    };
  },
});
