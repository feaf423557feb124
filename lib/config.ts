import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { type AllianceConfig, AllianceConfigSchema } from '../lambdas/core/config';
import { encodeConfigForEnvironment } from '../lambdas/core/config-codec';

/** Absolute path of the project root; entry paths and cdk.json are resolved against it. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Config used when the CDK context does not name one (`-c config=path/to/alliance.json`). */
export const DEFAULT_CONFIG_PATH = 'lib/alliances/north-east-london.json';

/**
 * Lambda caps all environment variables of a function at 4 KB together; the config shares that
 * budget with table names and Powertools settings, so it must leave room for them.
 */
export const MAX_LAMBDA_CONFIG_BYTES = 3072;

/** Raised when an alliance config cannot be read or does not describe a deployable alliance. */
export class AllianceConfigError extends Error {
  readonly code = 'ALLIANCE_CONFIG_INVALID';

  constructor(message: string) {
    super(message);
    this.name = 'AllianceConfigError';
  }
}

/**
 * Reads and validates an alliance config file.
 *
 * @param configPath path to the JSON file, absolute or relative to the project root
 * @throws AllianceConfigError naming the file and every invalid field
 */
export function loadAllianceConfig(configPath: string = DEFAULT_CONFIG_PATH): AllianceConfig {
  const absolutePath = isAbsolute(configPath) ? configPath : resolve(PROJECT_ROOT, configPath);
  if (!existsSync(absolutePath)) {
    throw new AllianceConfigError(
      `Alliance config not found at ${absolutePath} (choose one with -c config=<path>)`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(absolutePath, 'utf8'));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new AllianceConfigError(`Alliance config ${absolutePath} is not valid JSON: ${reason}`);
  }
  return parseAllianceConfig(raw, absolutePath);
}

/**
 * Validates an already-parsed config object with the same rules the Lambdas apply at cold start,
 * plus the checks only deployment needs (unique trusts, size of the Lambda copy).
 *
 * @param source where the object came from, quoted in error messages
 */
export function parseAllianceConfig(raw: unknown, source = 'alliance config'): AllianceConfig {
  const parsed = AllianceConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new AllianceConfigError(
      `Alliance config ${source} is invalid:\n${z.prettifyError(parsed.error)}`,
    );
  }
  const config = parsed.data;
  const seen = new Set<string>();
  for (const trust of config.trusts) {
    if (seen.has(trust.ods)) {
      throw new AllianceConfigError(`Alliance config ${source} lists trust ${trust.ods} twice`);
    }
    seen.add(trust.ods);
  }
  const lambdaCopy = allianceConfigEnvironmentValue(config);
  if (Buffer.byteLength(lambdaCopy) > MAX_LAMBDA_CONFIG_BYTES) {
    throw new AllianceConfigError(
      `Alliance config ${source} is ${Buffer.byteLength(lambdaCopy)} bytes compressed for the ` +
        `Lambda environment; Lambda environment variables allow ${MAX_LAMBDA_CONFIG_BYTES} bytes for it`,
    );
  }
  return config;
}

/**
 * The config as the Lambdas receive it in ALLIANCE_CONFIG: compact JSON without the alert email,
 * which only the alerts topic needs and which should not sit in every function's settings, and
 * with only the column mappings some trust uses, so a library of mappings kept in the file for
 * trusts to adopt costs nothing of the 4 KB environment.
 */
export function allianceConfigForLambda(config: AllianceConfig): string {
  const { alertEmail: _alertEmail, ...forLambda } = config;
  const used = new Set(config.trusts.map((trust) => trust.intake?.mapping));
  // `source` documents where header names came from; the Lambdas never read it
  const columnMappings = Object.fromEntries(
    Object.entries(config.columnMappings)
      .filter(([id]) => used.has(id))
      .map(([id, { source: _source, ...mapping }]) => [id, mapping]),
  );
  return JSON.stringify({ ...forLambda, columnMappings });
}

/** The ALLIANCE_CONFIG value: the Lambda copy compressed (see lambdas/core/config-codec.ts). */
export function allianceConfigEnvironmentValue(config: AllianceConfig): string {
  return encodeConfigForEnvironment(allianceConfigForLambda(config));
}
