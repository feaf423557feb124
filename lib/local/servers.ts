import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/** The S3 notification record s3rver emits for every object change. */
export interface S3NotificationRecord {
  eventName: string;
  eventTime: string;
  requestParameters?: { sourceIPAddress?: string };
  responseElements?: Record<string, string>;
  s3: {
    bucket: { name: string };
    object: { key: string; size?: number; eTag?: string; sequencer?: string };
  };
}

/** What the HTTP request that caused a notification looked like (s3rver does not say). */
export interface S3RequestInfo {
  method: string;
  copySource: boolean;
  multipartComplete: boolean;
  sourceIp: string;
  requestId: string;
}

export type S3EventListener = (record: S3NotificationRecord, request?: S3RequestInfo) => void;

interface KoaContext {
  method: string;
  headers: Record<string, string | string[] | undefined>;
  query: Record<string, unknown>;
  ip: string;
}
type KoaMiddleware = (ctx: KoaContext, next: () => Promise<void>) => Promise<void>;

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  on(event: 'event', listener: (event: { Records: S3NotificationRecord[] }) => void): void;
  middleware: KoaMiddleware[];
}
type S3rverConstructor = new (options: Record<string, unknown>) => S3rverInstance;
type Dynalite = (options: Record<string, unknown>) => Server;

export interface ServerOptions {
  dataDir: string;
  /** Keep S3 objects and DynamoDB items under dataDir across restarts (default true). */
  persist: boolean;
  s3Port?: number;
  dynamodbPort?: number;
}

export interface LocalServers {
  s3Endpoint: string;
  dynamodbEndpoint: string;
  onS3Event(listener: S3EventListener): void;
  close(): Promise<void>;
}

const require = createRequire(import.meta.url);

/** A loopback port nothing listens on (the discard service port). */
const UNREACHABLE_ENDPOINT = 'http://127.0.0.1:9';

/**
 * Starts s3rver and dynalite on loopback. s3rver needs a directory even when nothing persists,
 * so the ephemeral mode uses a scratch folder that is wiped on close.
 */
export async function startServers(options: ServerOptions): Promise<LocalServers> {
  const S3rver = require('s3rver') as S3rverConstructor;
  const dynalite = require('dynalite') as Dynalite;

  const s3Directory = options.persist
    ? join(options.dataDir, 's3')
    : join(options.dataDir, `s3-ephemeral-${process.pid}-${Date.now()}`);
  await mkdir(s3Directory, { recursive: true });
  const s3 = new S3rver({
    port: options.s3Port ?? 0,
    address: '127.0.0.1',
    silent: true,
    directory: s3Directory,
    resetOnClose: !options.persist,
    allowMismatchedSignatures: true,
  });
  // the notification s3rver emits lacks the request's shape; the EventBridge event needs it
  const requestInfo = new AsyncLocalStorage<S3RequestInfo>();
  s3.middleware.unshift((ctx, next) =>
    requestInfo.run(
      {
        method: ctx.method,
        copySource: ctx.headers['x-amz-copy-source'] !== undefined,
        multipartComplete: ctx.method === 'POST' && ctx.query.uploadId !== undefined,
        sourceIp: ctx.ip.replace(/^::ffff:/, ''),
        requestId: randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase(),
      },
      next,
    ),
  );
  const listeners: S3EventListener[] = [];
  s3.on('event', (event) => {
    for (const record of event.Records) {
      for (const listener of listeners) listener(record, requestInfo.getStore());
    }
  });
  const s3Address = await s3.run();

  const dynamoPath = join(options.dataDir, 'dynamodb');
  if (options.persist) await mkdir(dynamoPath, { recursive: true });
  const dynamo = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(options.persist ? { path: dynamoPath } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    dynamo.once('error', reject);
    dynamo.listen(options.dynamodbPort ?? 0, '127.0.0.1', () => resolve());
  });
  const dynamoAddress = dynamo.address() as AddressInfo;

  return {
    s3Endpoint: `http://127.0.0.1:${s3Address.port}`,
    dynamodbEndpoint: `http://127.0.0.1:${dynamoAddress.port}`,
    onS3Event: (listener) => listeners.push(listener),
    close: async () => {
      listeners.length = 0;
      await Promise.allSettled([
        s3.close(),
        new Promise<void>((resolve, reject) =>
          dynamo.close((error?: Error) => (error ? reject(error) : resolve())),
        ),
      ]);
      if (!options.persist) await rm(s3Directory, { recursive: true, force: true });
    },
  };
}

/**
 * The environment that points every SDK v3 client in this process at the local servers.
 * S3 clients still need `forcePathStyle` (no environment variable exists for it).
 */
export function sdkEnvironment(servers: LocalServers, region: string): Record<string, string> {
  return {
    // any other service a client might reach fails at once on loopback instead of leaving the
    // machine (service-specific variables take precedence over this one)
    AWS_ENDPOINT_URL: UNREACHABLE_ENDPOINT,
    AWS_ENDPOINT_URL_S3: servers.s3Endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: servers.dynamodbEndpoint,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_REQUEST_CHECKSUM_CALCULATION: 'when_required',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'when_required',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}
