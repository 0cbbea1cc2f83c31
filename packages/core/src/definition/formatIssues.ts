/** Turns zod issues into lines that say where and what: `streams.issues.paginator.type: unknown kind "foo"; …`. */
import type { z } from 'zod';

function at(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'nothing';
  if (typeof value === 'function') return 'a function';
  try {
    return JSON.stringify(value)?.slice(0, 60) ?? String(value);
  } catch {
    return String(value);
  }
}

export function pathText(path: readonly PropertyKey[]): string {
  return path.length ? path.map(String).join('.') : '(definition)';
}

export function formatIssue(issue: z.core.$ZodIssue, input: unknown): string {
  const where = pathText(issue.path);
  const received = at(input, issue.path);
  switch (issue.code) {
    case 'invalid_union': {
      const options = (issue as { options?: unknown[] }).options;
      if ((issue as { discriminator?: string }).discriminator && options) {
        const kinds = options.map(String).join(', ');
        return received === undefined
          ? `${where}: required; valid kinds: ${kinds}`
          : `${where}: unknown kind ${show(received)}; valid kinds: ${kinds}`;
      }
      return `${where}: ${issue.message} (got ${show(received)})`;
    }
    case 'invalid_key': {
      const nested = (issue as { issues?: { message: string }[] }).issues ?? [];
      return `${where}: bad name: ${nested.map((i) => i.message).join('; ') || issue.message}`;
    }
    case 'unrecognized_keys':
      return `${where}: unknown ${issue.keys.length > 1 ? 'keys' : 'key'} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    case 'invalid_type':
      return received === undefined
        ? `${where}: required (${issue.expected})`
        : `${where}: expected ${issue.expected}, got ${show(received)}`;
    default:
      return `${where}: ${issue.message}${received !== undefined && typeof received !== 'object' ? ` (got ${show(received)})` : ''}`;
  }
}
