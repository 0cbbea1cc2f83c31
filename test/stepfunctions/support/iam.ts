/**
 * A small IAM evaluator for the template's policies: Allow statements with Action/Resource
 * wildcards (`*` any run of characters, `?` exactly one, as IAM has them) and StringLike/StringEquals
 * conditions (and ForAllValues:StringEquals over a multi-valued key such as dynamodb:LeadingKeys,
 * given as a comma-separated list), explicit Deny first. Enough to ask "may this
 * role do this action on that resource?" of the least-privilege roles.
 */
export interface Statement {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function wildcard(pattern: string, value: string, ignoreCase = false): boolean {
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((p) =>
        p
          .split('?')
          .map((q) => q.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
          .join('.'),
      )
      .join('.*')}$`,
    ignoreCase ? 'i' : '',
  );
  return re.test(value);
}

function conditionHolds(cond: Statement['Condition'], context: Record<string, string>): boolean {
  if (!cond) return true;
  return Object.entries(cond).every(([op, tests]) =>
    Object.entries(tests).every(([key, expected]) => {
      const actual = context[key];
      if (actual === undefined) return false;
      if (op === 'StringLike') return list(expected).some((p) => wildcard(p, actual));
      if (op === 'StringEquals') return list(expected).includes(actual);
      if (op === 'ForAllValues:StringEquals')
        return actual.split(',').every((value) => list(expected).includes(value));
      throw new Error(`condition operator ${op} not supported by the test evaluator`);
    }),
  );
}

export function allows(
  statements: Statement[],
  action: string,
  resource: string,
  context: Record<string, string> = {},
): boolean {
  const matches = (s: Statement) =>
    list(s.Action).some((a) => wildcard(a, action, true)) &&
    list(s.Resource).some((r) => wildcard(r, resource)) &&
    conditionHolds(s.Condition, context);
  if (statements.some((s) => s.Effect === 'Deny' && matches(s))) return false;
  return statements.some((s) => s.Effect === 'Allow' && matches(s));
}

/** Every statement of a role's inline policies. */
export function roleStatements(role: { Properties?: Record<string, unknown> }): Statement[] {
  const policies = (role.Properties?.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[];
  return policies.flatMap((p) => p.PolicyDocument.Statement);
}
