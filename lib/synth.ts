import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { App, type IPolicyValidationPlugin, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import type { AllianceConfig } from '../lambdas/core/config';
import { AllianceStack, allianceStackId } from './alliance-stack';
import { loadAllianceConfig, PROJECT_ROOT, parseAllianceConfig } from './config';
import { acknowledgeNagFindings } from './nag';

/** Options of {@link synthesizeAlliance}. */
export interface SynthesizeAllianceOptions {
  /** Alliance config to build. @default - read from `configPath` */
  readonly config?: AllianceConfig;
  /** Config file, absolute or relative to the project root. @default DEFAULT_CONFIG_PATH */
  readonly configPath?: string;
  /** Cloud assembly directory. @default - a fresh temporary directory */
  readonly outdir?: string;
  /**
   * Bundle the Lambda handlers with esbuild, as `cdk synth` does. Off, the functions point at
   * placeholder assets and synthesis takes well under a second after the first.
   *
   * @default false
   */
  readonly bundling?: boolean;
  /**
   * Run the cdk-nag packs of {@link nagPacks}. With unacknowledged findings, synthesis throws and
   * the findings are in `validation-report.json` in the assembly directory.
   *
   * @default false
   */
  readonly nag?: boolean;
}

/** The result of {@link synthesizeAlliance}. */
export interface SynthesizedAlliance {
  readonly app: App;
  readonly stack: AllianceStack;
  /** The stack's CloudFormation template, as `cdk synth` writes it. */
  readonly template: Record<string, unknown>;
  /** The validated alliance config the stack was built from. */
  readonly config: AllianceConfig;
}

/** The `context` block of the project's cdk.json (feature flags and CLI settings). */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(resolve(PROJECT_ROOT, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
}

/**
 * The cdk-nag packs every synthesis checks: AwsSolutions, HIPAA Security and NIST 800-53 R5
 * (the NHS DSPT has no pack of its own; these two cover its technical controls most closely).
 */
export function nagPacks(scope: IConstruct): IPolicyValidationPlugin[] {
  return [
    new AwsSolutionsChecks(scope),
    new HIPAASecurityChecks(scope),
    new NIST80053R5Checks(scope),
  ];
}

/**
 * Adds an alliance's stack to an app, with its cdk-nag acknowledgements, and the cdk-nag packs
 * ({@link nagPacks}) when asked. `bin/app.ts` and {@link synthesizeAlliance} both build through here, so
 * tests and the local runtime see the stack that is deployed.
 */
export function addAllianceStack(
  app: App,
  config: AllianceConfig,
  options: { readonly nag?: boolean } = {},
): AllianceStack {
  const stack = new AllianceStack(app, allianceStackId(config), { config });
  acknowledgeNagFindings(stack);
  if (options.nag) Validations.of(app).addPlugins(...nagPacks(app));
  return stack;
}

/**
 * Synthesizes the alliance stack in-process. An in-process App does not read cdk.json, so the
 * feature flags are passed in from it; without bundling, the context also skips asset bundling
 * (`aws:cdk:bundling-stacks: []`), which leaves the template otherwise unchanged.
 *
 * @throws when cdk-nag (with `nag: true`) reports unacknowledged findings
 */
export function synthesizeAlliance(options: SynthesizeAllianceOptions = {}): SynthesizedAlliance {
  const config = options.config
    ? parseAllianceConfig(options.config, '(passed in)')
    : loadAllianceConfig(options.configPath);
  const context: Record<string, unknown> = { ...cdkJsonContext() };
  if (!options.bundling) context['aws:cdk:bundling-stacks'] = [];
  const app = new App({ outdir: options.outdir, context });
  const stack = addAllianceStack(app, config, { nag: options.nag ?? false });
  const assembly = app.synth();
  const template = assembly.getStackArtifact(stack.artifactId).template as Record<string, unknown>;
  return { app, stack, template, config };
}
