import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { fundingRequestJsonSchema } from '../../lambdas/core/funding-request';
import type { PlatformFunction } from './platform-function';

/** Group whose members see every trust. */
export const ALLIANCE_GROUP = 'alliance';

/** Group whose members see one trust's data only. */
export function trustGroupName(ods: string): string {
  return `trust-${ods}`;
}

/**
 * Query parameters of each authorised route: `true` required, `false` optional. Optional ones
 * are declared so the request validator lets them through.
 */
export const ROUTE_QUERY_PARAMETERS = {
  '/submissions': { trust: false },
  '/submissions/{id}/report': { format: false },
  '/validate': { trust: true, period: true, encoding: false },
  '/performance': {
    standard: true,
    from: true,
    to: true,
    trust: false,
    by: false,
    disclosure: false,
    allocation: false,
  },
  '/backlog': { period: true, trust: false, by: false, disclosure: false },
  '/performance/series': { standard: true, from: true, to: true, trust: false },
  '/alerts': { trust: false, kind: false, period: false, from: false, to: false },
  '/replay': { period: true, trust: false },
  '/quality': { from: true, to: true, trust: false },
} as const;

/** Properties of {@link ReportApi}. */
export interface ReportApiProps {
  /** The function behind every route (Lambda proxy integration). */
  readonly handler: PlatformFunction;
  /** The function behind `/funding/allocations` (POST) and `/funding/allocations/{id}` (GET). */
  readonly fundingHandler: PlatformFunction;
  /** The function behind `POST /uploads` (presigned upload URLs; the only one that may sign them). */
  readonly uploadHandler: PlatformFunction;
  /** The function behind `POST /replay` (the only one that may start the ingest workflow). */
  readonly replayHandler: PlatformFunction;
  /** ODS codes of the alliance's trusts; each gets a `trust-{ODS}` group. */
  readonly trusts: readonly string[];
  /** Key for the access-log group. */
  readonly logKey: kms.IKey;
  /** Stage name, the first path segment of the URL. @default 'v1' */
  readonly stageName?: string;
  /** How long access logs are kept. @default logs.RetentionDays.ONE_YEAR */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The report API: API Gateway REST API with a Cognito user pool (no self sign-up, TOTP MFA
 * required, threat protection enforced), groups `alliance` and `trust-{ODS}`, one Lambda proxy
 * integration, request validation, JSON access logs and X-Ray tracing.
 *
 * Routes (GET): `/health` (no auth), `/submissions?trust`, `/submissions/{id}`,
 * `/submissions/{id}/report[?format=csv]`, and POST `/validate?trust&period[&encoding]` (dry run),
 * `/performance?standard&from&to[&trust&by&disclosure&allocation]`,
 * `/backlog?period[&trust&by&disclosure]`,
 * `/performance/series?standard&from&to[&trust]`, `/alerts[?trust&kind&period&from&to]`,
 * `/quality?from&to[&trust]` (data-quality scorecard). The
 * handler enforces the trust scope of the caller's groups again; the authoriser only proves who
 * the caller is.
 *
 * Uploads (its own function, the only one allowed to write `uploads/`): `POST /uploads` returns
 * a presigned S3 PUT URL under the caller's trust prefix; the function validates the body, so a
 * bad file name gets a 400 with a stable code rather than API Gateway's generic one.
 *
 * Replay (alliance only, its own function): `POST /replay?period[&trust]` re-runs the period's
 * current submissions under the rules deployed now.
 *
 * Funding (alliance only, its own function): `POST /funding/allocations` with the body checked
 * against the `FundingAllocationRequest` model, and `GET /funding/allocations/{id}`.
 */
export class ReportApi extends Construct {
  /** The REST API. */
  readonly api: apigateway.RestApi;
  /** Users of the report API. */
  readonly userPool: cognito.UserPool;
  /** Public client (no secret) for the CLI and browser sign-in (SRP). */
  readonly userPoolClient: cognito.UserPoolClient;
  /** Authoriser on every route except `/health`. */
  readonly authorizer: apigateway.CognitoUserPoolsAuthorizer;
  /** Validates required query and path parameters before the Lambda runs. */
  readonly requestValidator: apigateway.RequestValidator;
  /** Stage access logs (JSON, KMS-encrypted). */
  readonly accessLogGroup: logs.LogGroup;
  /** User pool groups by name: `alliance` and one `trust-{ODS}` per trust. */
  readonly groups: ReadonlyMap<string, cognito.UserPoolGroup>;
  /** The method of each route by path (`/health`, …): GET, but POST on `/funding/allocations`. */
  readonly methods: ReadonlyMap<string, apigateway.Method>;

  constructor(scope: Construct, id: string, props: ReportApiProps) {
    super(scope, id);

    this.userPool = new cognito.UserPool(this, 'Users', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      // Plus tier: compromised-credential checks and adaptive authentication for accounts that
      // can read every trust's performance data.
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.userPoolClient = this.userPool.addClient('Client', {
      generateSecret: false,
      authFlows: { userSrp: true },
      preventUserExistenceErrors: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
    });
    const groups = new Map<string, cognito.UserPoolGroup>();
    groups.set(
      ALLIANCE_GROUP,
      this.userPool.addGroup('AllianceGroup', {
        groupName: ALLIANCE_GROUP,
        description: 'Alliance staff: every trust',
      }),
    );
    for (const ods of props.trusts) {
      const groupName = trustGroupName(ods);
      groups.set(
        groupName,
        this.userPool.addGroup(`TrustGroup-${ods}`, {
          groupName,
          description: `Staff of trust ${ods}: that trust only`,
        }),
      );
    }
    this.groups = groups;

    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', {
      encryptionKey: props.logKey,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.api = new apigateway.RestApi(this, 'Api', {
      description: 'Cancer waiting-times reports',
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      // Execution logging needs the account-level CloudWatch role; API Gateway has one per
      // region, so keep it when the stack goes.
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName: props.stageName ?? 'v1',
        accessLogDestination: new apigateway.LogGroupLogDestination(this.accessLogGroup),
        // The caller is the Cognito subject (an opaque id), not the e-mail address.
        accessLogFormat: apigateway.AccessLogFormat.custom(
          JSON.stringify({
            requestId: apigateway.AccessLogField.contextRequestId(),
            ip: apigateway.AccessLogField.contextIdentitySourceIp(),
            requestTime: apigateway.AccessLogField.contextRequestTime(),
            httpMethod: apigateway.AccessLogField.contextHttpMethod(),
            resourcePath: apigateway.AccessLogField.contextResourcePath(),
            status: apigateway.AccessLogField.contextStatus(),
            protocol: apigateway.AccessLogField.contextProtocol(),
            responseLength: apigateway.AccessLogField.contextResponseLength(),
            integrationLatency: apigateway.AccessLogField.contextIntegrationLatency(),
            userSub: apigateway.AccessLogField.contextAuthorizerClaims('sub'),
          }),
        ),
        tracingEnabled: true,
        loggingLevel: apigateway.MethodLoggingLevel.INFO,
        // Request and response bodies would put report figures into execution logs.
        dataTraceEnabled: false,
        metricsEnabled: true,
        throttlingRateLimit: 50,
        throttlingBurstLimit: 100,
      },
    });
    this.requestValidator = this.api.addRequestValidator('RequestValidator', {
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    this.authorizer = new apigateway.CognitoUserPoolsAuthorizer(this, 'Authorizer', {
      cognitoUserPools: [this.userPool],
    });

    const integration = new apigateway.LambdaIntegration(props.handler.lambdaFunction, {
      proxy: true,
      allowTestInvoke: false,
    });
    const authorised = (requestParameters: Record<string, boolean>): apigateway.MethodOptions => ({
      authorizer: this.authorizer,
      authorizationType: apigateway.AuthorizationType.COGNITO,
      requestValidator: this.requestValidator,
      requestParameters,
    });
    const query = (parameters: Readonly<Record<string, boolean>>): Record<string, boolean> =>
      Object.fromEntries(
        Object.entries(parameters).map(([name, required]) => [
          `method.request.querystring.${name}`,
          required,
        ]),
      );

    // Funding: API Gateway checks the body's structure against the model; the function checks
    // ranges and sums, so a 400 for bad weights says why.
    const fundingIntegration = new apigateway.LambdaIntegration(
      props.fundingHandler.lambdaFunction,
      { proxy: true, allowTestInvoke: false },
    );
    const { $schema: _draft, ...fundingSchema } = fundingRequestJsonSchema();
    const fundingRequestModel = this.api.addModel('FundingAllocationRequest', {
      contentType: 'application/json',
      modelName: 'FundingAllocationRequest',
      description: 'Body of POST /funding/allocations (structure only)',
      schema: {
        schema: apigateway.JsonSchemaVersion.DRAFT4,
        ...fundingSchema,
      } as apigateway.JsonSchema,
    });
    const allocations = this.api.root.resourceForPath('funding/allocations');

    const submissions = this.api.root.addResource('submissions');
    const submission = submissions.addResource('{id}');
    this.methods = new Map([
      [
        '/health',
        this.api.root.addResource('health').addMethod('GET', integration, {
          authorizationType: apigateway.AuthorizationType.NONE,
          requestValidator: this.requestValidator,
        }),
      ],
      [
        '/submissions',
        submissions.addMethod(
          'GET',
          integration,
          authorised(query(ROUTE_QUERY_PARAMETERS['/submissions'])),
        ),
      ],
      [
        '/submissions/{id}',
        submission.addMethod('GET', integration, authorised({ 'method.request.path.id': true })),
      ],
      [
        '/submissions/{id}/report',
        submission.addResource('report').addMethod(
          'GET',
          integration,
          authorised({
            'method.request.path.id': true,
            ...query(ROUTE_QUERY_PARAMETERS['/submissions/{id}/report']),
          }),
        ),
      ],
      [
        // The file is the body (dry run, nothing stored): API Gateway's 10 MB payload limit
        // applies, and the function answers 413 above DRY_RUN_MAX_BYTES.
        '/validate',
        this.api.root
          .addResource('validate')
          .addMethod('POST', integration, authorised(query(ROUTE_QUERY_PARAMETERS['/validate']))),
      ],
      [
        '/performance',
        this.api.root
          .addResource('performance')
          .addMethod('GET', integration, authorised(query(ROUTE_QUERY_PARAMETERS['/performance']))),
      ],
      [
        '/backlog',
        this.api.root
          .addResource('backlog')
          .addMethod('GET', integration, authorised(query(ROUTE_QUERY_PARAMETERS['/backlog']))),
      ],
      [
        '/performance/series',
        this.api.root
          .resourceForPath('performance/series')
          .addMethod(
            'GET',
            integration,
            authorised(query(ROUTE_QUERY_PARAMETERS['/performance/series'])),
          ),
      ],
      [
        '/alerts',
        this.api.root
          .addResource('alerts')
          .addMethod('GET', integration, authorised(query(ROUTE_QUERY_PARAMETERS['/alerts']))),
      ],
      [
        '/quality',
        this.api.root
          .addResource('quality')
          .addMethod('GET', integration, authorised(query(ROUTE_QUERY_PARAMETERS['/quality']))),
      ],
      [
        '/replay',
        this.api.root.addResource('replay').addMethod(
          'POST',
          new apigateway.LambdaIntegration(props.replayHandler.lambdaFunction, {
            proxy: true,
            allowTestInvoke: false,
          }),
          authorised(query(ROUTE_QUERY_PARAMETERS['/replay'])),
        ),
      ],
      [
        '/funding/allocations',
        allocations.addMethod('POST', fundingIntegration, {
          ...authorised({}),
          requestModels: { 'application/json': fundingRequestModel },
        }),
      ],
      [
        '/funding/allocations/{id}',
        allocations
          .addResource('{id}')
          .addMethod('GET', fundingIntegration, authorised({ 'method.request.path.id': true })),
      ],
      [
        '/uploads',
        this.api.root.addResource('uploads').addMethod(
          'POST',
          new apigateway.LambdaIntegration(props.uploadHandler.lambdaFunction, {
            proxy: true,
            allowTestInvoke: false,
          }),
          authorised({}),
        ),
      ],
    ]);
  }
}
