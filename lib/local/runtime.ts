import './polyfills';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createAlertSink } from './alerts-sink';
import type { JsonValue } from './asl';
import { localDynamoClient, localS3Client } from './clients';
import { applyEnvironment } from './env';
import { createEventRouter, type EventRouterDependencies } from './events';
import { type ExecutionRecord, ExecutionRegistry } from './executions';
import { FaultInjector, type LocalFault } from './faults';
import { functionEnvironment, loadFunctions } from './functions';
import { readRoutes, startGateway } from './gateway';
import { provisionResources } from './provision';
import { type ScheduleOptions, startSchedules } from './schedules';
import { sdkEnvironment, startServers } from './servers';
import { startSfnApi } from './sfn-api';
import { loadStateMachines } from './state-machine';
import { type CfnTemplate, TemplateResolver } from './template';

export type { ExecutionRecord } from './executions';
export type { ArmedFault, LocalFault } from './faults';

export interface LocalRuntimeOptions {
  /** The synthesized CloudFormation template (bundling may be skipped). */
  template: CfnTemplate;
  /** Where `local:handler` paths are resolved from. */
  projectRoot: string;
  /** Holds s3/, dynamodb/, executions.jsonl, alerts.jsonl, local-issuer.json, runtime.json. */
  dataDir: string;
  /** Gateway port (default: an ephemeral one). */
  port?: number;
  /** Fixed ports for the S3 and DynamoDB servers (default: ephemeral). */
  s3Port?: number;
  dynamodbPort?: number;
  /** Defaults to AWS_REGION, then eu-west-2. */
  region?: string;
  /** Keep S3 objects and DynamoDB items under dataDir across restarts (default true). */
  persist?: boolean;
  log?: (line: string) => void;
  /** Executions running at once; further ones queue (default 2). */
  maxConcurrentExecutions?: number;
  /**
   * Local-only settings layered over the functions' environment, e.g. a quieter
   * POWERTOOLS_LOG_LEVEL for the console. Everything else comes from the template.
   */
  environmentOverrides?: Record<string, string>;
  /**
   * EventBridge schedule rules run on local timers (default: each rule's own schedule). Tests
   * set a short `intervalMs` and a fixed `clock`; `enabled: false` turns the timers off.
   */
  schedules?: ScheduleOptions;
  /**
   * Tests only: steps that fail on purpose (see faults.ts). More can be added while running
   * through `LocalRuntime.faults`.
   */
  faults?: LocalFault[];
}

export interface LocalRuntime {
  apiUrl: string;
  s3Endpoint: string;
  dynamodbEndpoint: string;
  region: string;
  /** logical id → local bucket name */
  bucketNames: Record<string, string>;
  /** logical id → local table name */
  tableNames: Record<string, string>;
  /** The (first) state machine's ARN; `stateMachineArns` lists all. */
  stateMachineArn: string;
  stateMachineArns: string[];
  /** Resolves when no execution is running or queued. */
  waitForIdle(): Promise<void>;
  executions(): ExecutionRecord[];
  /** Starts every schedule rule's targets now, as its timer would; returns how many started. */
  runSchedules(): number;
  /** Runs an execution (queued like the others) and resolves with its finished record. */
  startExecution(
    input: JsonValue,
    options?: { name?: string; stateMachineArn?: string },
  ): Promise<ExecutionRecord>;
  /** Injected faults: `faults.add({ state: 'Aggregate', when: 'after' })` fails the next one. */
  faults: FaultInjector;
  stop(): Promise<void>;
}

/**
 * Runs a synthesized template on one machine: S3 and DynamoDB servers on loopback, resources
 * provisioned from the template, the template's own state machine definition driving the
 * template's own handlers, EventBridge rules fed by S3 notifications, and the REST API.
 */
export async function startLocalRuntime(options: LocalRuntimeOptions): Promise<LocalRuntime> {
  const log = options.log ?? ((line: string) => console.log(line));
  const dataDir = resolve(options.dataDir);
  const region = options.region ?? process.env.AWS_REGION ?? 'eu-west-2';
  const persist = options.persist ?? true;
  await mkdir(dataDir, { recursive: true });

  const resolver = new TemplateResolver(options.template, { region });
  // fail on template problems before anything is started
  const handlerEnvironment = functionEnvironment(resolver);

  const cleanups: Array<() => Promise<void> | void> = [];
  const cleanUp = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  };
  try {
    const servers = await startServers({
      dataDir,
      persist,
      ...(options.s3Port !== undefined ? { s3Port: options.s3Port } : {}),
      ...(options.dynamodbPort !== undefined ? { dynamodbPort: options.dynamodbPort } : {}),
    });
    cleanups.push(() => servers.close());
    cleanups.push(
      applyEnvironment({
        ...sdkEnvironment(servers, region),
        ...handlerEnvironment,
        ...options.environmentOverrides,
      }),
    );

    const endpoints = { ...servers, region };
    const s3 = localS3Client(endpoints);
    const dynamo = localDynamoClient(endpoints);
    cleanups.push(() => {
      s3.destroy();
      dynamo.destroy();
    });
    const { bucketNames, tableNames } = await provisionResources(resolver, { s3, dynamo }, log);

    const faults = new FaultInjector(options.faults);
    const functions = await loadFunctions(resolver, options.projectRoot, faults);
    const topicArns = new Map(
      resolver
        .resourcesOfType('AWS::SNS::Topic')
        .map(([id]) => [resolver.arn(id), resolver.physicalName(id)] as const),
    );
    const alerts = createAlertSink({ dataDir, topicArns, log });
    cleanups.push(() => alerts.drain());

    let registry: ExecutionRegistry | undefined;
    const machines = loadStateMachines(resolver, {
      functions,
      alerts,
      dynamo,
      s3,
      log,
      onChildEvent: (name, event) => registry?.appendChildEvent(name, event),
      faults,
    });
    registry = new ExecutionRegistry({
      dataDir,
      maxConcurrent: options.maxConcurrentExecutions ?? 2,
      machines,
      log,
    });
    const executions = registry;
    cleanups.push(() => executions.stop());
    // Handlers that start executions (the replay API) call StartExecution with their own SFN
    // client; locally that reaches this registry.
    const sfnApi = await startSfnApi(executions);
    cleanups.push(() => sfnApi.close());
    cleanups.push(applyEnvironment({ AWS_ENDPOINT_URL_SFN: sfnApi.endpoint }));

    const targets: EventRouterDependencies = {
      isStateMachine: (arn) => machines.some((m) => m.arn === arn),
      isFunction: (arn) => functions.find(arn) !== undefined,
      startExecution: (arn, input, trigger) => {
        try {
          executions.submit(input, { stateMachineArn: arn, trigger });
        } catch (error) {
          log(`${trigger}: could not start an execution: ${(error as Error).message}`);
        }
      },
      invokeFunction: (arn, input, trigger) => {
        functions
          .get(arn)
          .invoke(input)
          .catch((error: unknown) => log(`${trigger}: ${arn} failed: ${(error as Error).name}`));
      },
      log,
    };
    const router = createEventRouter(resolver, targets);
    servers.onS3Event((record, request) => router.handleS3Record(record, request));
    // after the registry in cleanups, so timers stop before executions are aborted
    const schedules = startSchedules(resolver, targets, options.schedules);
    cleanups.push(() => schedules.stop());

    const gateway = await startGateway({
      routes: readRoutes(resolver, functions),
      dataDir,
      ...(options.port !== undefined ? { port: options.port } : {}),
      log,
    });
    cleanups.push(() => gateway.close());

    const stateMachineArns = machines.map((m) => m.arn);
    const runtimeFile = join(dataDir, 'runtime.json');
    await writeFile(
      runtimeFile,
      JSON.stringify(
        {
          apiUrl: gateway.url,
          s3Endpoint: servers.s3Endpoint,
          dynamodbEndpoint: servers.dynamodbEndpoint,
          region,
          buckets: bucketNames,
          tables: tableNames,
          stateMachineArn: stateMachineArns[0] ?? null,
          pid: process.pid,
          startedAt: new Date().toISOString(),
        },
        null,
        2,
      ),
    );
    cleanups.push(() => rm(runtimeFile, { force: true }));

    return {
      apiUrl: gateway.url,
      s3Endpoint: servers.s3Endpoint,
      dynamodbEndpoint: servers.dynamodbEndpoint,
      region,
      bucketNames,
      tableNames,
      stateMachineArn: stateMachineArns[0] ?? '',
      stateMachineArns,
      waitForIdle: () => executions.waitForIdle(),
      runSchedules: () => schedules.runAll(),
      executions: () => executions.list(),
      startExecution: (input, request = {}) =>
        executions.submit(input, {
          stateMachineArn: request.stateMachineArn ?? stateMachineArns[0] ?? '',
          trigger: 'api',
          ...(request.name !== undefined ? { name: request.name } : {}),
        }).done,
      faults,
      stop: cleanUp,
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}
