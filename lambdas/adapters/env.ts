import { z } from 'zod';
import { type AllianceConfig, AllianceConfigSchema } from '../core/config';
import { decodeConfigFromEnvironment } from '../core/config-codec';
import { ConfigError } from '../core/errors';

/**
 * The handlers' environment, validated once per cold start. A missing or malformed variable is
 * a deployment fault: fail loudly, naming the variable, never the value.
 */
const EnvSchema = z.object({
  BUCKET_NAME: z.string().min(1).optional(),
  SUBMISSIONS_TABLE: z.string().min(1).optional(),
  AGGREGATES_TABLE: z.string().min(1).optional(),
  ALERTS_TABLE: z.string().min(1).optional(),
  ALLOCATIONS_TABLE: z.string().min(1).optional(),
  ALLIANCE_CONFIG: z.string().min(2),
});

export interface HandlerEnv {
  readonly bucket: () => string;
  readonly submissionsTable: () => string;
  readonly aggregatesTable: () => string;
  readonly alertsTable: () => string;
  readonly allocationsTable: () => string;
  readonly config: AllianceConfig;
}

let cached: HandlerEnv | undefined;

function required(name: string, value: string | undefined): string {
  if (!value) throw new ConfigError(`Environment variable ${name} is not set for this function.`);
  return value;
}

export function handlerEnv(): HandlerEnv {
  if (cached) return cached;
  const parsed = EnvSchema.safeParse(process.env);
  if (!parsed.success) {
    const names = parsed.error.issues.map((issue) => issue.path.join('.')).join(', ');
    throw new ConfigError(`Invalid function environment: ${names}.`);
  }
  const env = parsed.data;
  let configJson: unknown;
  try {
    configJson = JSON.parse(decodeConfigFromEnvironment(env.ALLIANCE_CONFIG));
  } catch {
    throw new ConfigError('ALLIANCE_CONFIG is neither JSON nor a compressed config.');
  }
  const config = AllianceConfigSchema.safeParse(configJson);
  if (!config.success) {
    throw new ConfigError(`ALLIANCE_CONFIG is invalid: ${config.error.issues[0]?.message}`);
  }
  cached = {
    bucket: () => required('BUCKET_NAME', env.BUCKET_NAME),
    submissionsTable: () => required('SUBMISSIONS_TABLE', env.SUBMISSIONS_TABLE),
    aggregatesTable: () => required('AGGREGATES_TABLE', env.AGGREGATES_TABLE),
    alertsTable: () => required('ALERTS_TABLE', env.ALERTS_TABLE),
    allocationsTable: () => required('ALLOCATIONS_TABLE', env.ALLOCATIONS_TABLE),
    config: config.data,
  };
  return cached;
}

/** Tests change the environment between cases. */
export function resetHandlerEnv(): void {
  cached = undefined;
}
