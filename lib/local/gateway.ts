import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FunctionRegistry, LocalFunction } from './functions';
import { rootResourceId, type TemplateResolver } from './template';
import { type IdTokenClaims, TokenError, verifyToken } from './tokens';

/** API Gateway's own payload limit. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;
const STAGE = 'local';

type Integration =
  | { type: 'AWS_PROXY'; fn: LocalFunction }
  | { type: 'MOCK'; statusCode: number; headers: Record<string, string> }
  | { type: 'UNSUPPORTED'; reason: string };

export interface ApiMethod {
  httpMethod: string;
  authorization: 'NONE' | 'COGNITO_USER_POOLS' | 'UNSUPPORTED';
  /** Header carrying the token (from the authorizer's IdentitySource). */
  identityHeader: string;
  validateParameters: boolean;
  requiredQuery: string[];
  requiredHeaders: string[];
  integration: Integration;
}

export interface ApiRoute {
  resourceId: string;
  resourcePath: string;
  segments: string[];
  methods: Map<string, ApiMethod>;
}

/** The REST API's resources and methods as the template declares them. */
export function readRoutes(resolver: TemplateResolver, functions: FunctionRegistry): ApiRoute[] {
  const apis = resolver.resourcesOfType('AWS::ApiGateway::RestApi');
  if (apis.length === 0) return [];
  if (apis.length > 1) throw new Error('The local gateway serves one RestApi per template');
  const [apiId] = apis[0]!;

  const paths = new Map<string, string>([[rootResourceId(apiId), '/']]);
  const resources = resolver.resourcesOfType('AWS::ApiGateway::Resource');
  const pathOf = (resourceId: string, depth = 0): string => {
    const known = paths.get(resourceId);
    if (known) return known;
    const found = resources.find(([id]) => id === resourceId);
    if (!found || depth > 50) throw new Error(`Unknown API resource ${resourceId}`);
    const props = found[1].Properties ?? {};
    const parent = pathOf(resolver.resolveString(props.ParentId), depth + 1);
    const path = `${parent === '/' ? '' : parent}/${String(props.PathPart)}`;
    paths.set(resourceId, path);
    return path;
  };

  const routes = new Map<string, ApiRoute>();
  for (const [, method] of resolver.resourcesOfType('AWS::ApiGateway::Method')) {
    const props = method.Properties ?? {};
    const resourceId = resolver.resolveString(props.ResourceId);
    const resourcePath = pathOf(resourceId);
    let route = routes.get(resourceId);
    if (!route) {
      route = {
        resourceId,
        resourcePath,
        segments: resourcePath.split('/').filter(Boolean),
        methods: new Map(),
      };
      routes.set(resourceId, route);
    }
    const httpMethod = String(props.HttpMethod).toUpperCase();
    route.methods.set(httpMethod, readMethod(resolver, functions, httpMethod, props));
  }
  // literal segments win over `{param}` ones, as in API Gateway
  return [...routes.values()].sort((a, b) => specificity(b) - specificity(a));
}

function specificity(route: ApiRoute): number {
  return route.segments.reduce(
    (score, segment, i) => score + (segment.startsWith('{') ? 1 : 2) * 100 ** (10 - i),
    0,
  );
}

function readMethod(
  resolver: TemplateResolver,
  functions: FunctionRegistry,
  httpMethod: string,
  props: Record<string, unknown>,
): ApiMethod {
  const authType = String(props.AuthorizationType ?? 'NONE');
  let identityHeader = 'authorization';
  if (props.AuthorizerId !== undefined) {
    const authorizer = resolver.resource(resolver.resolveString(props.AuthorizerId));
    const source = String(authorizer.Properties?.IdentitySource ?? '');
    identityHeader =
      source.replace(/^method\.request\.header\./, '').toLowerCase() || identityHeader;
  }
  let validateParameters = false;
  if (props.RequestValidatorId !== undefined) {
    const validator = resolver.resource(resolver.resolveString(props.RequestValidatorId));
    validateParameters = validator.Properties?.ValidateRequestParameters === true;
  }
  const parameters = (resolver.resolve(props.RequestParameters ?? {}) ?? {}) as Record<
    string,
    unknown
  >;
  const required = (kind: string) =>
    Object.entries(parameters)
      .filter(([key, value]) => key.startsWith(`method.request.${kind}.`) && value === true)
      .map(([key]) => key.slice(`method.request.${kind}.`.length));
  return {
    httpMethod,
    authorization:
      authType === 'NONE' || authType === 'COGNITO_USER_POOLS' ? authType : 'UNSUPPORTED',
    identityHeader,
    validateParameters,
    requiredQuery: required('querystring'),
    requiredHeaders: required('header'),
    integration: readIntegration(resolver, functions, props.Integration),
  };
}

function readIntegration(
  resolver: TemplateResolver,
  functions: FunctionRegistry,
  raw: unknown,
): Integration {
  const integration = (resolver.resolve(raw) ?? {}) as {
    Type?: string;
    Uri?: string;
    IntegrationResponses?: Array<{
      StatusCode?: string;
      ResponseParameters?: Record<string, string>;
    }>;
  };
  if (integration.Type === 'AWS_PROXY') {
    const arn = /\/functions\/(.+)\/invocations$/.exec(String(integration.Uri))?.[1];
    if (!arn) return { type: 'UNSUPPORTED', reason: `integration URI ${integration.Uri}` };
    return { type: 'AWS_PROXY', fn: functions.get(arn) };
  }
  if (integration.Type === 'MOCK') {
    const first = integration.IntegrationResponses?.[0];
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(first?.ResponseParameters ?? {})) {
      const name = key.replace(/^method\.response\.header\./, '');
      headers[name] = String(value).replace(/^'(.*)'$/, '$1');
    }
    return { type: 'MOCK', statusCode: Number(first?.StatusCode ?? 200), headers };
  }
  return { type: 'UNSUPPORTED', reason: `integration type ${integration.Type}` };
}

export interface LocalGateway {
  url: string;
  close(): Promise<void>;
}

/** A node:http server answering like the API Gateway REST API the template declares. */
export async function startGateway(options: {
  routes: ApiRoute[];
  dataDir: string;
  port?: number;
  log: (line: string) => void;
}): Promise<LocalGateway> {
  const server = createServer((req, res) => {
    const started = Date.now();
    handle(req, res, options)
      .catch((error: unknown) => {
        options.log(`gateway error: ${error instanceof Error ? error.message : String(error)}`);
        send(res, 502, { message: 'Internal server error' });
      })
      .finally(() => {
        const path = (req.url ?? '/').split('?')[0];
        options.log(`${req.method} ${path} ${res.statusCode} ${Date.now() - started}ms`);
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function match(
  routes: ApiRoute[],
  segments: string[],
): { route: ApiRoute; pathParameters: Record<string, string> } | undefined {
  for (const route of routes) {
    const pathParameters: Record<string, string> = {};
    const greedy = route.segments.at(-1)?.endsWith('+}');
    if (
      greedy ? segments.length < route.segments.length : segments.length !== route.segments.length
    ) {
      continue;
    }
    const matched = route.segments.every((segment, i) => {
      if (!segment.startsWith('{')) return segment === segments[i];
      const name = segment.slice(1, -1).replace(/\+$/, '');
      pathParameters[name] = segment.endsWith('+}')
        ? segments.slice(i).join('/')
        : (segments[i] ?? '');
      return true;
    });
    if (matched) return { route, pathParameters };
  }
  return undefined;
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  options: { routes: ApiRoute[]; dataDir: string },
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://local');
  const segments = url.pathname.split('/').filter(Boolean).map(safeDecode);
  const found = match(options.routes, segments);
  const httpMethod = (req.method ?? 'GET').toUpperCase();
  const method = found?.route.methods.get(httpMethod) ?? found?.route.methods.get('ANY');
  if (!found || !method) {
    // what a REST API answers for any path or verb it does not declare
    send(res, 403, { message: 'Missing Authentication Token' });
    return;
  }
  const body = await readBody(req);
  if (body === undefined) {
    send(res, 413, { message: 'Request Too Long' });
    return;
  }

  let claims: IdTokenClaims | undefined;
  if (method.authorization === 'UNSUPPORTED') {
    send(res, 500, { message: 'This authorization type is not supported locally' });
    return;
  }
  if (method.authorization === 'COGNITO_USER_POOLS') {
    const header = req.headers[method.identityHeader];
    const token = (Array.isArray(header) ? header[0] : header)?.replace(/^Bearer\s+/i, '');
    if (!token) {
      send(res, 401, { message: 'Unauthorized' });
      return;
    }
    try {
      claims = await verifyToken(options.dataDir, token);
    } catch (error) {
      const expired = error instanceof TokenError && error.code === 'TOKEN_EXPIRED';
      send(res, 401, { message: expired ? 'The incoming token has expired' : 'Unauthorized' });
      return;
    }
  }

  if (method.validateParameters) {
    const missing = [
      ...method.requiredQuery.filter((name) => !url.searchParams.has(name)),
      ...method.requiredHeaders.filter((name) => req.headers[name.toLowerCase()] === undefined),
    ];
    if (missing.length > 0) {
      send(res, 400, { message: `Missing required request parameters: [${missing.join(', ')}]` });
      return;
    }
  }

  const integration = method.integration;
  if (integration.type === 'MOCK') {
    res.writeHead(integration.statusCode, integration.headers);
    res.end();
    return;
  }
  if (integration.type === 'UNSUPPORTED') {
    send(res, 500, { message: `Not supported locally: ${integration.reason}` });
    return;
  }
  const event = proxyEvent(req, url, found.route, found.pathParameters, body, claims);
  let result: unknown;
  try {
    result = await integration.fn.invoke(event);
  } catch {
    send(res, 502, { message: 'Internal server error' });
    return;
  }
  writeProxyResult(res, result);
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function proxyEvent(
  req: IncomingMessage,
  url: URL,
  route: ApiRoute,
  pathParameters: Record<string, string>,
  body: Buffer,
  claims: IdTokenClaims | undefined,
): Record<string, unknown> {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    const value = req.rawHeaders[i + 1]!;
    headers[name] = value;
    multiValueHeaders[name] = [...(multiValueHeaders[name] ?? []), value];
  }
  const query: Record<string, string> = {};
  const multiValueQuery: Record<string, string[]> = {};
  for (const [name, value] of url.searchParams) {
    query[name] = value;
    multiValueQuery[name] = [...(multiValueQuery[name] ?? []), value];
  }
  const hasQuery = Object.keys(query).length > 0;
  const now = new Date();
  const requestId = randomUUID();
  const sourceIp = (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
  return {
    resource: route.resourcePath,
    path: url.pathname,
    httpMethod: (req.method ?? 'GET').toUpperCase(),
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiValueQuery : null,
    pathParameters: Object.keys(pathParameters).length > 0 ? pathParameters : null,
    stageVariables: null,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      resourceId: route.resourceId,
      resourcePath: route.resourcePath,
      httpMethod: (req.method ?? 'GET').toUpperCase(),
      requestId,
      extendedRequestId: requestId,
      requestTime: now.toUTCString(),
      requestTimeEpoch: now.getTime(),
      path: `/${STAGE}${url.pathname}`,
      protocol: `HTTP/${req.httpVersion}`,
      stage: STAGE,
      domainName: req.headers.host ?? '127.0.0.1',
      identity: { sourceIp, userAgent: req.headers['user-agent'] ?? null },
      ...(claims ? { authorizer: { claims: gatewayClaims(claims) } } : {}),
    },
    body: body.length > 0 ? body.toString('utf8') : null,
    isBase64Encoded: false,
  };
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * Claims as the Cognito authorizer hands them to a proxy integration: every value a string,
 * lists comma-joined, and epoch times in Java's `EEE MMM dd HH:mm:ss zzz yyyy` format.
 */
export function gatewayClaims(claims: IdTokenClaims): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(claims)) {
    if (Array.isArray(value)) out[name] = value.join(',');
    else if (['exp', 'iat', 'auth_time'].includes(name) && typeof value === 'number') {
      out[name] = javaDate(new Date(value * 1000));
    } else if (typeof value === 'object' && value !== null) out[name] = JSON.stringify(value);
    else out[name] = String(value);
  }
  return out;
}

function javaDate(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${DAYS[date.getUTCDay()]} ${MONTHS[date.getUTCMonth()]} ${pad(date.getUTCDate())} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} UTC ` +
    `${date.getUTCFullYear()}`
  );
}

function writeProxyResult(res: ServerResponse, result: unknown): void {
  const response = result as {
    statusCode?: unknown;
    headers?: Record<string, unknown>;
    multiValueHeaders?: Record<string, unknown[]>;
    body?: unknown;
    isBase64Encoded?: boolean;
  } | null;
  if (!response || typeof response.statusCode !== 'number') {
    // API Gateway's answer to a malformed Lambda proxy response
    send(res, 502, { message: 'Internal server error' });
    return;
  }
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(response.headers ?? {})) headers[name] = String(value);
  for (const [name, values] of Object.entries(response.multiValueHeaders ?? {})) {
    headers[name] = values.map(String);
  }
  if (!Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) {
    headers['content-type'] = 'application/json';
  }
  const text = response.body === undefined || response.body === null ? '' : String(response.body);
  res.writeHead(response.statusCode, headers);
  res.end(response.isBase64Encoded ? Buffer.from(text, 'base64') : text);
}
