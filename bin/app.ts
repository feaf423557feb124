import { App } from 'aws-cdk-lib';
import { loadAllianceConfig } from '../lib/config';
import { addAllianceStack } from '../lib/synth';

// `-c config=path/to/alliance.json` picks the alliance; `-c nag=false` skips cdk-nag (used when
// only the feature flags are being updated).
const app = new App();
const config = loadAllianceConfig(app.node.tryGetContext('config') ?? undefined);
addAllianceStack(app, config, { nag: String(app.node.tryGetContext('nag')) !== 'false' });
