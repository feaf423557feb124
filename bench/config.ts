import { type AllianceConfig, AllianceConfigSchema } from '../lambdas/core/config';
import nel from '../lib/alliances/north-east-london.json';

/** The shipped North East London config: its rules (chunking, IMD edition) are what is measured. */
export function benchConfig(rules: Partial<AllianceConfig['rules']> = {}): AllianceConfig {
  return AllianceConfigSchema.parse({ ...nel, rules: { ...nel.rules, ...rules } });
}
