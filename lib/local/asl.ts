/** Amazon States Language helpers: loose types, a state walker and the JSONPath-only guard. */

export type JsonValue =
  | null
  | boolean
  | number
  | string
  | JsonValue[]
  | { [key: string]: JsonValue };

export type AslState = Record<string, unknown> & { Type: string };

export interface AslDefinition {
  StartAt: string;
  States: Record<string, AslState>;
  [field: string]: unknown;
}

export class UnsupportedDefinitionError extends Error {
  readonly code = 'LOCAL_DEFINITION_UNSUPPORTED';
  override name = 'UnsupportedDefinitionError';
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Nested machines of a state: a Map's processor or a Parallel's branches. */
export function childDefinitions(state: AslState): AslDefinition[] {
  const children: AslDefinition[] = [];
  for (const key of ['ItemProcessor', 'Iterator']) {
    const child = state[key];
    if (isRecord(child) && isRecord(child.States)) children.push(child as unknown as AslDefinition);
  }
  if (Array.isArray(state.Branches)) children.push(...(state.Branches as AslDefinition[]));
  return children;
}

/** Visits every state of a definition, nested ones included (state names are machine-wide). */
export function forEachState(
  definition: AslDefinition,
  visit: (name: string, state: AslState) => void,
): void {
  for (const [name, state] of Object.entries(definition.States)) {
    visit(name, state);
    for (const child of childDefinitions(state)) forEachState(child, visit);
  }
}

const JSONATA_STATE_FIELDS = ['QueryLanguage', 'Arguments', 'Assign', 'Output'];

/**
 * aws-local-stepfunctions ignores JSONata and variables silently (a JSONata Pass returns its input
 * unchanged), so running such a definition would give wrong results rather than an error.
 */
export function assertJsonPathOnly(definition: AslDefinition, machineName: string): void {
  const found: string[] = [];
  const check = (where: string, node: unknown) => {
    if (!isRecord(node)) return;
    for (const field of JSONATA_STATE_FIELDS) {
      if (field in node) found.push(`${where}: ${field}`);
    }
  };
  const checkDefinition = (def: AslDefinition, where: string) => {
    if ('QueryLanguage' in def) found.push(`${where}: QueryLanguage`);
    for (const [name, state] of Object.entries(def.States)) {
      check(`state '${name}'`, state);
      for (const catcher of (state.Catch as unknown[] | undefined) ?? []) {
        check(`state '${name}' Catch`, catcher);
      }
      for (const choice of (state.Choices as unknown[] | undefined) ?? []) {
        check(`state '${name}' Choices`, choice);
      }
      for (const child of childDefinitions(state)) checkDefinition(child, `inside '${name}'`);
    }
  };
  checkDefinition(definition, 'definition');
  if (found.length > 0) {
    throw new UnsupportedDefinitionError(
      `State machine ${machineName} uses JSONata or variables, which the local interpreter ` +
        `would silently ignore; keep the definition JSONPath-only (${found.join('; ')})`,
    );
  }
}

export function isDistributedMap(state: AslState): boolean {
  if (state.Type !== 'Map') return false;
  const processor = state.ItemProcessor;
  const mode =
    isRecord(processor) && isRecord(processor.ProcessorConfig)
      ? processor.ProcessorConfig.Mode
      : undefined;
  return mode === 'DISTRIBUTED' || 'ItemReader' in state;
}
