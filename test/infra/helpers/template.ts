/**
 * Small readers over a synthesized CloudFormation template, so infra tests can assert on
 * behaviour (who may do what where, which states follow which) rather than on hashed ids.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, Json>;
  readonly Metadata?: Record<string, Json>;
}

export type Template = Record<string, unknown>;

export function resources(template: Template): Record<string, CfnResource> {
  return (template.Resources ?? {}) as Record<string, CfnResource>;
}

/** Logical ids and resources of one CloudFormation type. */
export function resourcesOfType(template: Template, type: string): [string, CfnResource][] {
  return Object.entries(resources(template)).filter(([, resource]) => resource.Type === type);
}

export function onlyResourceOfType(template: Template, type: string): [string, CfnResource] {
  const found = resourcesOfType(template, type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0] as [string, CfnResource];
}

export function props(resource: CfnResource): Record<string, Json> {
  return resource.Properties ?? {};
}

/**
 * Renders an intrinsic as readable text: `{Ref: X}` → `<X>`, `{Fn::GetAtt: [X, Arn]}` →
 * `<X.Arn>`, `Fn::Join` concatenated; anything else as JSON.
 */
export function render(value: Json | undefined): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    if (typeof value.Ref === 'string') return `<${value.Ref}>`;
    const getAtt = value['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return `<${getAtt.join('.')}>`;
    const join = value['Fn::Join'];
    if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
      return join[1].map((part) => render(part)).join(join[0]);
    }
  }
  return JSON.stringify(value);
}

/**
 * The one resource of a type whose logical id starts with `prefix` — the construct it belongs
 * to, e.g. `Ingest` or `SubmissionDeadlines` — when the stack has more than one of that type.
 */
export function onlyResourceOfTypeIn(
  template: Template,
  type: string,
  prefix: string,
): [string, CfnResource] {
  const found = resourcesOfType(template, type).filter(([id]) => id.startsWith(prefix));
  if (found.length !== 1)
    throw new Error(`expected one ${type} in ${prefix}, found ${found.length}`);
  return found[0] as [string, CfnResource];
}

/**
 * A state machine's definition as an object (the only one, or the one whose logical id starts
 * with `prefix`). Tokens inside the Fn::Join (ARNs, names) are stringified in place, so they
 * read as text such as `{"Ref": "Topic"}`.
 */
export function stateMachineDefinition(
  template: Template,
  prefix?: string,
): StateMachineDefinition {
  const [, machine] =
    prefix === undefined
      ? onlyResourceOfType(template, 'AWS::StepFunctions::StateMachine')
      : onlyResourceOfTypeIn(template, 'AWS::StepFunctions::StateMachine', prefix);
  const definition = props(machine).DefinitionString;
  if (typeof definition === 'string') return JSON.parse(definition) as StateMachineDefinition;
  const join = (definition as { 'Fn::Join': [string, Json[]] })['Fn::Join'];
  const text = join[1]
    .map((part) =>
      typeof part === 'string' ? part : JSON.stringify(JSON.stringify(part)).slice(1, -1),
    )
    .join(join[0]);
  return JSON.parse(text) as StateMachineDefinition;
}

export interface AslState {
  readonly Type: string;
  readonly Next?: string;
  readonly End?: boolean;
  readonly Default?: string;
  readonly Choices?: Record<string, Json>[];
  readonly Resource?: string;
  readonly Parameters?: Record<string, Json>;
  readonly InputPath?: string;
  readonly ResultPath?: string | null;
  readonly Retry?: Record<string, Json>[];
  readonly Catch?: { ErrorEquals: string[]; ResultPath?: string; Next: string }[];
  readonly ItemProcessor?: {
    ProcessorConfig?: Record<string, Json>;
    StartAt: string;
    States: Record<string, AslState>;
  };
  readonly ItemReader?: Record<string, Json>;
  readonly ItemSelector?: Json;
  readonly ItemsPath?: string;
  readonly MaxConcurrency?: number;
  readonly ToleratedFailurePercentage?: number;
  readonly Error?: string;
}

export interface StateMachineDefinition {
  readonly StartAt: string;
  readonly States: Record<string, AslState>;
}

/** Every state, nested Map processors included, by name. */
export function allStates(definition: { States: Record<string, AslState> }): Map<string, AslState> {
  const found = new Map<string, AslState>();
  for (const [name, state] of Object.entries(definition.States)) {
    found.set(name, state);
    if (state.ItemProcessor) {
      for (const [inner, innerState] of allStates(state.ItemProcessor))
        found.set(inner, innerState);
    }
  }
  return found;
}

export interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: Json;
  readonly Condition?: Record<string, Record<string, Json>>;
}

export function actionsOf(statement: Statement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

export function resourcesOf(statement: Statement): string[] {
  const list = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
  return list.map((resource) => render(resource));
}

/** The statements of a policy document. */
export function statementsIn(document: Json | undefined): Statement[] {
  return ((document as { Statement?: unknown } | undefined)?.Statement ?? []) as Statement[];
}

/**
 * Statements of every identity policy attached to a role: inline, AWS::IAM::Policy, and
 * customer-managed AWS::IAM::ManagedPolicy (attached through its `Roles` or the role's
 * `ManagedPolicyArns`).
 */
export function roleStatements(template: Template, roleLogicalId: string): Statement[] {
  const statements: Statement[] = [];
  const [, role] = Object.entries(resources(template)).find(([id]) => id === roleLogicalId) ?? [];
  const attachedArns = ((role && props(role).ManagedPolicyArns) ?? []) as Json[];
  for (const [policyId, policy] of [
    ...resourcesOfType(template, 'AWS::IAM::Policy'),
    ...resourcesOfType(template, 'AWS::IAM::ManagedPolicy'),
  ]) {
    const roles = (props(policy).Roles ?? []) as Json[];
    const attached =
      roles.some((entry) => render(entry) === `<${roleLogicalId}>`) ||
      attachedArns.some((arn) => render(arn) === `<${policyId}>`);
    if (!attached) continue;
    statements.push(...statementsIn(props(policy).PolicyDocument));
  }
  const inlinePolicies = ((role && props(role).Policies) ?? []) as Record<string, Json>[];
  for (const inline of inlinePolicies) statements.push(...statementsIn(inline.PolicyDocument));
  return statements;
}

/** Every `action on resource` pair a role is allowed, e.g. `s3:GetObject on <Bucket.Arn>/x/*`. */
export function allowedPairs(statements: Statement[]): Set<string> {
  const pairs = new Set<string>();
  for (const statement of statements) {
    if (statement.Effect !== 'Allow') continue;
    for (const action of actionsOf(statement)) {
      for (const resource of resourcesOf(statement)) pairs.add(`${action} on ${resource}`);
    }
  }
  return pairs;
}

/** The Lambda function whose `local:handler` metadata names the given entry file. */
export function functionByHandler(template: Template, entry: string): [string, CfnResource] {
  const found = resourcesOfType(template, 'AWS::Lambda::Function').find(
    ([, fn]) => fn.Metadata?.['local:handler'] === entry,
  );
  if (!found) throw new Error(`no function with local:handler ${entry}`);
  return found;
}

/** Logical id of a function's execution role. */
export function roleOfFunction(fn: CfnResource): string {
  const role = props(fn).Role as { 'Fn::GetAtt': [string, string] };
  return role['Fn::GetAtt'][0];
}

/** The logical id a `Ref` or `Fn::GetAtt` points at. */
export function logicalIdOf(value: Json | undefined): string {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    if (typeof value.Ref === 'string') return value.Ref;
    const getAtt = value['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  }
  throw new Error(`not a reference: ${JSON.stringify(value)}`);
}

/** A function's environment variables. */
export function environmentOf(fn: CfnResource): Record<string, Json> {
  return (props(fn).Environment as { Variables: Record<string, Json> }).Variables;
}
