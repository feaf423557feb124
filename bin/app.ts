import { App } from 'aws-cdk-lib';
import { loadAllianceConfig } from '../lib/config';
import { addAllianceStack } from '../lib/synth';

// Context switches: `-c config=path/to/alliance.json` picks the alliance; `-c nag=false` skips
// cdk-nag and `-c bundling=false` skips esbuild (both for chores such as `cdk flags`, which
// synthesize without deploying).
const app = new App();
if (String(app.node.tryGetContext('bundling')) === 'false') {
  app.node.setContext('aws:cdk:bundling-stacks', []);
}
const config = loadAllianceConfig(app.node.tryGetContext('config') ?? undefined);
addAllianceStack(app, config, { nag: String(app.node.tryGetContext('nag')) !== 'false' });
