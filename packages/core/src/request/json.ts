import * as z from 'zod';
import type { JsonValue } from '../stream/types.ts';
import { bodyTemplates, compileBody, renderBody, templateLeaves, withValues } from './bodyTemplate.ts';
import { typedLeafProblems } from './typedLeaf.ts';
import { requestKind } from './types.ts';

/**
 * A POST or PUT with a JSON body (HubSpot's CRM search). Every string leaf of `body` is a template
 * (`{since}`, `{until:unixMs}`, a partition value, `{parent.id}`), rendered to a string; a body
 * paginator (`in: 'body'`) sets its values at dotted paths in it.
 */
export const json = requestKind({
  schema: z.strictObject({
    type: z.literal('json'),
    method: z.enum(['POST', 'PUT']),
    /** The JSON body; string leaves are templates, `{ "$number": "…" }` / `{ "$boolean": "…" }` typed ones. @default {} */
    body: z
      .record(z.string(), z.json())
      .superRefine((body, ctx) => {
        for (const { path, message } of typedLeafProblems(body as JsonValue))
          ctx.addIssue({ code: 'custom', path, message });
      })
      .default({}),
    /** 5xx, timeouts and resets may be sent again: the call changes nothing or is deduplicated. @default false */
    retrySafe: z.boolean().default(false),
  }),
  doc: {
    sends:
      '`method` with the JSON `body` (string leaves are templates, `{ "$number": "…" }` / `{ "$boolean": "…" }` typed ones; a body paginator sets its values in it)',
    retries: '429 and a refused connection always; 5xx, timeouts, resets only with `retrySafe: true`',
  },
  examples: [
    {
      type: 'json',
      method: 'POST',
      body: {
        filterGroups: [
          { filters: [{ propertyName: 'lastmodifieddate', operator: 'GTE', value: '{since:unixMs}' }] },
        ],
        limit: 100,
      },
      retrySafe: true,
    },
    {
      type: 'json',
      method: 'POST',
      body: { since: { $number: '{since:unixMs}' }, archived: { $boolean: 'false' } },
    },
    { type: 'json', method: 'PUT', body: { owner: '{owner}', report: { since: '{since:date}' } } },
  ],
  generator: {
    offered: false,
    instead: "write request: { type: 'json', method: 'POST', body: {…} } by hand",
  },
  carriesBody: true,
  templates: (definition) => templateLeaves(definition.body as JsonValue, 'body'),
  create(definition) {
    const body = compileBody(definition.body as JsonValue);
    return {
      method: definition.method,
      retrySafe: definition.retrySafe,
      templates: bodyTemplates(body),
      render: (values, where) => renderBody(body, values, where),
      encode: (rendered, set) => ({
        body: JSON.stringify(withValues(rendered as JsonValue, set)),
        contentType: 'application/json',
      }),
    };
  },
});
