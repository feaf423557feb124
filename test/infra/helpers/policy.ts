/**
 * A small IAM evaluator over the identity policies of a synthesized template, so tests can ask
 * "may this role do this action on this resource?" instead of matching policy text. It follows
 * the parts of IAM's logic that decide these questions:
 *
 * - an explicit Deny that matches wins over any Allow; otherwise some Allow must match;
 * - `Action`/`NotAction` and `Resource`/`NotResource`, with `*` (any run of characters) and `?`
 *   (one character) wildcards; action names compare case-insensitively, resources do not;
 * - conditions: `StringEquals`, `StringLike`, `ArnEquals` and `ArnLike` are checked against the
 *   request context a test passes (e.g. `{ 's3:prefix': 'uploads/R1H/' }`); any other operator,
 *   and any key the context does not give, counts as met. For "cannot" assertions that errs on
 *   the side of failing (a conditional Allow is reported as a grant), which is what a
 *   least-privilege test wants.
 *
 * Resources are compared as rendered text (see `render`): `<Bucket.Arn>/uploads/R1H/*` matches a
 * request for `<Bucket.Arn>/uploads/R1H/cwt/2025-01/file.csv`, and a statement on
 * `<Bucket.Arn>/*` or `*` matches it too. Resource-based policies (bucket, key, topic) are out of
 * scope: they only narrow what these identity policies allow in the same account.
 */
import {
  type CfnResource,
  type Json,
  props,
  render,
  resourcesOfType,
  roleStatements,
  type Statement,
  type Template,
} from './template';

/** One statement with its lists normalised and its resources rendered as text. */
export interface EvaluatedStatement {
  readonly effect: 'Allow' | 'Deny';
  readonly actions?: readonly string[];
  readonly notActions?: readonly string[];
  readonly resources?: readonly string[];
  readonly notResources?: readonly string[];
  /** Operator → context key → accepted values (rendered). */
  readonly conditions: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
}

/** Request context keys and values for condition checks, e.g. `{ 's3:prefix': 'reports/' }`. */
export type RequestContext = Readonly<Record<string, string>>;

/** The identity policy of one role, ready to evaluate. */
export interface RolePolicy {
  readonly roleId: string;
  readonly statements: readonly EvaluatedStatement[];
}

function list(value: Json | undefined): Json[] | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value : [value];
}

/** Normalises a statement from a template (Action or NotAction, Resource or NotResource). */
export function evaluated(statement: Statement): EvaluatedStatement {
  const raw = statement as unknown as Record<string, Json | undefined>;
  const text = (value: Json | undefined) => list(value)?.map((item) => render(item));
  return {
    effect: raw.Effect === 'Deny' ? 'Deny' : 'Allow',
    actions: text(raw.Action),
    notActions: text(raw.NotAction),
    resources: text(raw.Resource),
    notResources: text(raw.NotResource),
    conditions: Object.fromEntries(
      Object.entries(statement.Condition ?? {}).map(([operator, keys]) => [
        operator,
        Object.fromEntries(Object.entries(keys).map(([key, values]) => [key, text(values) ?? []])),
      ]),
    ),
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.+^${}()|[\]\\]/g, '\\$&');
}

/** Whether an IAM pattern (`*`, `?` wildcards) matches a value. */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const source = `^${escapeRegExp(pattern).replace(/\*/g, '.*').replace(/\?/g, '.')}$`;
  return new RegExp(source, ignoreCase ? 'is' : 's').test(value);
}

function matchesAction(statement: EvaluatedStatement, action: string): boolean {
  if (statement.actions) {
    return statement.actions.some((pattern) => wildcardMatch(pattern, action, true));
  }
  if (statement.notActions) {
    return !statement.notActions.some((pattern) => wildcardMatch(pattern, action, true));
  }
  return false;
}

function matchesResource(statement: EvaluatedStatement, resource: string): boolean {
  if (statement.resources) {
    return statement.resources.some((pattern) => wildcardMatch(pattern, resource));
  }
  if (statement.notResources) {
    return !statement.notResources.some((pattern) => wildcardMatch(pattern, resource));
  }
  return false;
}

const CONDITION_MATCHERS: Record<string, (pattern: string, value: string) => boolean> = {
  StringEquals: (pattern, value) => pattern === value,
  StringLike: (pattern, value) => wildcardMatch(pattern, value),
  ArnEquals: (pattern, value) => pattern === value,
  ArnLike: (pattern, value) => wildcardMatch(pattern, value),
};

function conditionsMet(statement: EvaluatedStatement, context: RequestContext): boolean {
  return Object.entries(statement.conditions).every(([operator, keys]) => {
    const matcher = CONDITION_MATCHERS[operator];
    if (!matcher) return true;
    return Object.entries(keys).every(([key, patterns]) => {
      const value = context[key];
      return value === undefined || patterns.some((pattern) => matcher(pattern, value));
    });
  });
}

function matches(
  statement: EvaluatedStatement,
  action: string,
  resource: string,
  context: RequestContext,
): boolean {
  return (
    matchesAction(statement, action) &&
    matchesResource(statement, resource) &&
    conditionsMet(statement, context)
  );
}

/**
 * Whether the policy allows `action` on `resource` (no matching Deny, some matching Allow),
 * with the conditions the context can decide checked against it.
 */
export function isAllowed(
  policy: RolePolicy,
  action: string,
  resource: string,
  context: RequestContext = {},
): boolean {
  const relevant = policy.statements.filter((statement) =>
    matches(statement, action, resource, context),
  );
  if (relevant.some((statement) => statement.effect === 'Deny')) return false;
  return relevant.some((statement) => statement.effect === 'Allow');
}

/** The Allow statements that let `action` on `resource` through (for failure messages). */
export function grantsFor(
  policy: RolePolicy,
  action: string,
  resource: string,
  context: RequestContext = {},
): EvaluatedStatement[] {
  return policy.statements.filter(
    (statement) => statement.effect === 'Allow' && matches(statement, action, resource, context),
  );
}

/**
 * Whether the policy allows every action of a service (`s3:*`, `*`, `NotAction`) on any resource
 * at all (`*`, `arn:*`, a resource outside this stack): the action is a name no real grant would
 * list, and the resources belong to no one, so only wildcards on both sides can match them.
 */
export function allowsWholeService(policy: RolePolicy, service: string): boolean {
  const action = `${service}:ProbeOfAServiceWideWildcard`;
  const elsewhere = [
    '*',
    `arn:aws:${service}:::probe-elsewhere/object`,
    `arn:aws:${service}:eu-west-2:111122223333:probe-elsewhere/id`,
  ];
  return policy.statements.some(
    (statement) =>
      statement.effect === 'Allow' &&
      matchesAction(statement, action) &&
      elsewhere.some((resource) => matchesResource(statement, resource)),
  );
}

/** The identity policy of one role of the template (inline, AWS::IAM::Policy, managed). */
export function rolePolicy(template: Template, roleId: string): RolePolicy {
  return { roleId, statements: roleStatements(template, roleId).map(evaluated) };
}

/** Every role of the template with its identity policy. */
export function allRolePolicies(template: Template): RolePolicy[] {
  return resourcesOfType(template, 'AWS::IAM::Role').map(([roleId]) =>
    rolePolicy(template, roleId),
  );
}

/** Managed and inline policy documents of the template, by logical id, as they are written. */
export function policyDocuments(template: Template): [string, Json][] {
  const documents: [string, Json][] = [];
  for (const type of ['AWS::IAM::ManagedPolicy', 'AWS::IAM::Policy']) {
    for (const [id, policy] of resourcesOfType(template, type)) {
      documents.push([id, props(policy as CfnResource).PolicyDocument as Json]);
    }
  }
  return documents;
}
