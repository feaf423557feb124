// Tests never reach AWS: no metadata lookups, no SDK version nags, fixed region.
process.env.AWS_EC2_METADATA_DISABLED = 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.AWS_REGION ??= 'eu-west-2';
process.env.CDK_DISABLE_VERSION_CHECK = 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
