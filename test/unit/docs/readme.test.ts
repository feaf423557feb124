import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENRICH_WARNINGS } from '../../../lambdas/core/enrich';
import { PARSE_ERROR_CODES } from '../../../lambdas/core/parse/errors';
import { ERROR_CATALOGUE } from '../../../lambdas/core/validate';

const readme = readFileSync(resolve(import.meta.dirname, '../../../README.md'), 'utf8');
const documented = new Set(
  // Table cells are padded to the column width, so any run of spaces may follow the code.
  [...readme.matchAll(/^\| `([A-Z0-9_]+)` +\|/gm)].map((match) => match[1]),
);

describe('README', () => {
  it('documents every error and warning code a report can carry', () => {
    const codes = [
      ...ERROR_CATALOGUE.map((entry) => entry.code),
      ...PARSE_ERROR_CODES,
      ...Object.values(ENRICH_WARNINGS),
    ];
    expect(codes.filter((code) => !documented.has(code))).toEqual([]);
  });

  it('states the two commands', () => {
    expect(readme).toContain('npm install && npm start');
    expect(readme).toContain('npm test');
  });
});
