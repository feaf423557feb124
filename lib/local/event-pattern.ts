/**
 * EventBridge event-pattern matching: exact values, value lists, nested objects, `$or`, and the
 * content filters `prefix`, `suffix`, `equals-ignore-case`, `wildcard`, `exists`, `anything-but`,
 * `numeric`.
 */

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function matchesPattern(pattern: unknown, event: unknown): boolean {
  if (!isRecord(pattern)) return false;
  return Object.entries(pattern).every(([key, expected]) => {
    if (key === '$or' && Array.isArray(expected)) {
      return expected.some((alternative) => matchesPattern(alternative, event));
    }
    const present = isRecord(event) && key in event;
    const actual = present ? (event as Record<string, unknown>)[key] : undefined;
    if (Array.isArray(expected)) return matchesList(expected, present, actual);
    if (isRecord(expected)) return isRecord(actual) && matchesPattern(expected, actual);
    return false;
  });
}

function matchesList(expected: unknown[], present: boolean, actual: unknown): boolean {
  // an array field matches when any of its elements matches
  const values = Array.isArray(actual) ? actual : [actual];
  return expected.some((rule) => {
    if (isRecord(rule) && 'exists' in rule) {
      return rule.exists === (present && actual !== undefined);
    }
    if (!present) return false;
    return values.some((value) => matchesValue(rule, value));
  });
}

function matchesValue(rule: unknown, value: unknown): boolean {
  if (!isRecord(rule)) return rule === value;
  if ('prefix' in rule) return matchString(rule.prefix, value, (v, p) => v.startsWith(p));
  if ('suffix' in rule) return matchString(rule.suffix, value, (v, s) => v.endsWith(s));
  if ('equals-ignore-case' in rule) {
    return (
      typeof value === 'string' &&
      typeof rule['equals-ignore-case'] === 'string' &&
      value.toLowerCase() === rule['equals-ignore-case'].toLowerCase()
    );
  }
  if ('wildcard' in rule) {
    return typeof value === 'string' && wildcard(String(rule.wildcard)).test(value);
  }
  if ('anything-but' in rule) {
    const excluded = rule['anything-but'];
    if (isRecord(excluded)) return !matchesValue(excluded, value);
    const list = Array.isArray(excluded) ? excluded : [excluded];
    return !list.includes(value);
  }
  if ('numeric' in rule && Array.isArray(rule.numeric)) {
    return typeof value === 'number' && numeric(rule.numeric, value);
  }
  return false;
}

/** `prefix`/`suffix` take a string or `{ 'equals-ignore-case': string }`. */
function matchString(
  operand: unknown,
  value: unknown,
  test: (value: string, operand: string) => boolean,
): boolean {
  if (typeof value !== 'string') return false;
  if (typeof operand === 'string') return test(value, operand);
  if (isRecord(operand) && typeof operand['equals-ignore-case'] === 'string') {
    return test(value.toLowerCase(), operand['equals-ignore-case'].toLowerCase());
  }
  return false;
}

function wildcard(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}

function numeric(conditions: unknown[], value: number): boolean {
  for (let i = 0; i + 1 < conditions.length; i += 2) {
    const operator = conditions[i];
    const operand = Number(conditions[i + 1]);
    const ok =
      operator === '='
        ? value === operand
        : operator === '<'
          ? value < operand
          : operator === '<='
            ? value <= operand
            : operator === '>'
              ? value > operand
              : operator === '>='
                ? value >= operand
                : false;
    if (!ok) return false;
  }
  return true;
}
