import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueToken, LOCAL_AUDIENCE, LOCAL_ISSUER } from '../../lib/local/tokens';
import { FIXTURES, startTestPlatform, type TestPlatform } from './support/platform';
import { type TemplateRoute, templateRoutes } from './support/routes';

/**
 * The authorisation matrix of issue 4 §4, through the local gateway for every route the
 * synthesized template declares: no token, expired, badly signed, malformed, `alg: none` and
 * wrong-audience tokens are refused (401) on every authorised route; alliance staff reach every
 * route; a trust reaches its own data and is refused another trust's (403) or, where a route
 * has a default scope, sees only its own trust; a token in no recognised group is refused (403);
 * /health answers without a token. Refusals must not leak stack traces or other trusts' data.
 *
 * Routes come from the template, so a route added later is covered at once, and the test fails
 * until someone states its policy in POLICIES below.
 */

const P = '2025-06';
const RF4_FILE = 'rf4-2025-06-golden.csv';
const R1H_FILE = 'r1h-2025-06-golden.csv';

/** What the seeding created: submissions of both trusts and one saved allocation. */
interface Seeded {
  readonly rf4: string;
  readonly r1h: string;
  readonly allocationId: string;
}

interface Request {
  readonly method: string;
  readonly path: string;
  readonly body?: string;
  readonly contentType?: string;
}

interface Response {
  readonly status: number;
  readonly text: string;
  readonly json: any;
}

/**
 * How a route decides who may call it:
 * - `public`: anyone, no token (API Gateway `NONE`);
 * - `trust-scoped`: alliance staff for any trust, a trust's staff for their own trust;
 * - `alliance-only`: alliance staff only.
 */
type Access = 'public' | 'trust-scoped' | 'alliance-only';

interface Policy {
  readonly access: Access;
  /** A valid request about RF4's data (trust=RF4, RF4's submission, a saved allocation). */
  readonly request: (seeded: Seeded) => Request;
  /** The status an allowed caller gets. */
  readonly ok: number;
  /** Checks an allowed caller's answer really holds RF4's data (not an empty 200). */
  readonly shows?: (body: any, seeded: Seeded) => void;
  /**
   * The same route without a trust filter: a trust user gets their own trust's data (plus
   * alliance-wide rows), checked by `ownOnly` for R1H.
   */
  readonly defaultScope?: {
    readonly request: (seeded: Seeded) => Request;
    readonly ownOnly: (body: any, seeded: Seeded) => void;
  };
  /** Further requests only members may make (alliance-wide data, `trust=ALL`). */
  readonly membersOnly?: (seeded: Seeded) => Request[];
}

const ALLOCATION_REQUEST = {
  budget: 300_000,
  unit: 'trust',
  window: { from: P, to: P },
  weights: { need: 0.5, gap: 0.3, equal: 0.2 },
};

const uploadRequest = (extra: Record<string, string>): Request => ({
  method: 'POST',
  path: '/uploads',
  body: JSON.stringify({ period: P, fileName: 'authorisation.csv', sizeBytes: 100, ...extra }),
  contentType: 'application/json',
});
const get = (path: string): Request => ({ method: 'GET', path });
const trustsOf = (rows: Array<{ trust: string }>) => [...new Set(rows.map((row) => row.trust))];

/** Every route's policy, from its handler and the README's API table. */
const POLICIES: Record<string, Policy> = {
  'GET /health': { access: 'public', request: () => get('/health'), ok: 200 },
  'GET /submissions': {
    access: 'trust-scoped',
    request: () => get('/submissions?trust=RF4'),
    ok: 200,
    shows: (body, { rf4 }) => expect(body.submissions.map((s: any) => s.id)).toContain(rf4),
    defaultScope: {
      request: () => get('/submissions'),
      ownOnly: (body, { r1h }) => {
        expect(body.submissions.map((s: any) => s.id)).toContain(r1h);
        expect(trustsOf(body.submissions)).toEqual(['R1H']);
      },
    },
  },
  'GET /submissions/{id}': {
    access: 'trust-scoped',
    request: ({ rf4 }) => get(`/submissions/${rf4}`),
    ok: 200,
    shows: (body, { rf4 }) => expect(body).toMatchObject({ id: rf4, trust: 'RF4' }),
  },
  'GET /submissions/{id}/report': {
    access: 'trust-scoped',
    request: ({ rf4 }) => get(`/submissions/${rf4}/report`),
    ok: 200,
    shows: (body, { rf4 }) => expect(body).toMatchObject({ submissionId: rf4, trust: 'RF4' }),
  },
  'POST /validate': {
    access: 'trust-scoped',
    request: () => ({
      method: 'POST',
      path: `/validate?trust=RF4&period=${P}`,
      body: readFileSync(join(FIXTURES, RF4_FILE), 'utf8'),
      contentType: 'text/csv',
    }),
    ok: 200,
    // the golden file: 17 rows, one invalid NHS number (see reports-dry-run.test.ts)
    shows: (body) =>
      expect(body).toMatchObject({ trust: 'RF4', counts: { total: 17, valid: 16, invalid: 1 } }),
  },
  'GET /performance': {
    access: 'trust-scoped',
    request: () => get(`/performance?standard=fds&from=${P}&to=${P}&trust=RF4`),
    ok: 200,
    shows: (body) => expect(trustsOf(body.rows)).toContain('RF4'),
    defaultScope: {
      request: () => get(`/performance?standard=fds&from=${P}&to=${P}`),
      ownOnly: (body) => expect(trustsOf(body.rows).sort()).toEqual(['ALL', 'R1H']),
    },
  },
  'GET /backlog': {
    access: 'trust-scoped',
    request: () => get(`/backlog?period=${P}&trust=RF4`),
    ok: 200,
    shows: (body) => expect(body.period).toBe(P),
    defaultScope: {
      request: () => get(`/backlog?period=${P}`),
      ownOnly: (body) =>
        expect(trustsOf(body.rows).every((trust) => ['R1H', 'ALL'].includes(trust))).toBe(true),
    },
  },
  'GET /performance/series': {
    access: 'trust-scoped',
    request: () => get(`/performance/series?standard=fds&from=${P}&to=${P}&trust=RF4`),
    ok: 200,
    shows: (body) => expect(body.trust).toBe('RF4'),
    // without a trust: the alliance series, which every trust's staff may see (the ALL rows
    // of /performance are theirs too); never another trust's series
    defaultScope: {
      request: () => get(`/performance/series?standard=fds&from=${P}&to=${P}`),
      ownOnly: (body) => expect(body.trust).toBe('ALL'),
    },
    membersOnly: () => [get(`/performance/series?standard=fds&from=${P}&to=${P}&trust=ALL`)],
  },
  'GET /alerts': {
    access: 'trust-scoped',
    request: () => get(`/alerts?trust=RF4&period=${P}`),
    ok: 200,
    shows: (body) => {
      expect(body.alerts.length).toBeGreaterThan(0);
      expect(trustsOf(body.alerts)).toEqual(['RF4']);
    },
    // a trust sees its own alerts and the alliance-wide ones
    defaultScope: {
      request: () => get(`/alerts?period=${P}`),
      ownOnly: (body) => {
        expect(trustsOf(body.alerts)).toContain('R1H');
        expect(trustsOf(body.alerts).every((trust) => ['R1H', 'ALL'].includes(trust))).toBe(true);
      },
    },
    membersOnly: () => [get(`/alerts?trust=ALL&period=${P}`)],
  },
  'GET /quality': {
    access: 'trust-scoped',
    request: () => get(`/quality?from=${P}&to=${P}&trust=RF4`),
    ok: 200,
    shows: (body) => expect(trustsOf(body.trusts)).toEqual(['RF4']),
    defaultScope: {
      request: () => get(`/quality?from=${P}&to=${P}`),
      ownOnly: (body) => expect(trustsOf(body.trusts)).toEqual(['R1H']),
    },
  },
  'POST /uploads': {
    access: 'trust-scoped',
    request: () => uploadRequest({ trust: 'RF4' }),
    ok: 200,
    shows: (body) =>
      expect(body).toMatchObject({ trust: 'RF4', key: expect.stringMatching(/^uploads\/RF4\//) }),
    // without a trust: the caller's own trust's prefix (alliance staff must name one)
    defaultScope: {
      request: () => uploadRequest({}),
      ownOnly: (body) =>
        expect(body).toMatchObject({ trust: 'R1H', key: expect.stringMatching(/^uploads\/R1H\//) }),
    },
  },
  'POST /replay': {
    access: 'alliance-only',
    // re-runs RF4's current June submission (idempotent: the figures stay as they are)
    request: () => ({ method: 'POST', path: `/replay?period=${P}&trust=RF4` }),
    ok: 202,
    shows: (body, { rf4 }) =>
      expect(body.submissions.map((s: any) => s.submissionId)).toEqual([rf4]),
  },
  'POST /funding/allocations': {
    access: 'alliance-only',
    request: () => ({
      method: 'POST',
      path: '/funding/allocations',
      body: JSON.stringify(ALLOCATION_REQUEST),
      contentType: 'application/json',
    }),
    ok: 201,
    shows: (body) => expect(body.allocationId).toEqual(expect.any(String)),
  },
  'GET /funding/allocations/{id}': {
    access: 'alliance-only',
    request: ({ allocationId }) => get(`/funding/allocations/${allocationId}`),
    ok: 200,
    shows: (body, { allocationId }) => expect(body.allocationId).toBe(allocationId),
  },
};

/** Groups that grant nothing: a typo'd alliance, a lower-case trust, an unrelated group. */
const UNRECOGNISED_GROUPS = ['readers', 'ALLIANCE', 'trust-rf4', 'alliance-staff'];

let platform: TestPlatform;
let routes: TemplateRoute[];
let seeded: Seeded;

beforeAll(async () => {
  platform = await startTestPlatform();
  routes = templateRoutes(platform.template, platform.config.region);
  const rf4 = await platform.uploadFixture('RF4', P, RF4_FILE);
  const r1h = await platform.uploadFixture('R1H', P, R1H_FILE);
  const created = await call(POLICIES['POST /funding/allocations']!.request({} as Seeded), {
    group: 'alliance',
  });
  if (created.status !== 201) throw new Error(`seeding an allocation: ${created.text}`);
  seeded = { rf4, r1h, allocationId: created.json.allocationId };
});
afterAll(async () => {
  await platform?.stop();
});

async function call(
  request: Request,
  auth: { group: string } | { header: string } | null,
): Promise<Response> {
  const headers: Record<string, string> = {};
  if (request.contentType) headers['content-type'] = request.contentType;
  if (auth && 'group' in auth) {
    headers.authorization = `Bearer ${await issueToken(platform.dataDir, { group: auth.group })}`;
  } else if (auth) {
    headers.authorization = auth.header;
  }
  const response = await fetch(`${platform.runtime.apiUrl}${request.path}`, {
    method: request.method,
    headers,
    ...(request.body === undefined ? {} : { body: request.body }),
  });
  const text = await response.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON (a CSV report, say)
  }
  return { status: response.status, text, json };
}

/** The policy of every authorised (non-public) template route, in template order. */
function authorisedRoutes(): Array<[TemplateRoute, Policy]> {
  return routes
    .map((route) => [route, POLICIES[route.name]] as [TemplateRoute, Policy | undefined])
    .filter(
      // unclassified routes fail the classification test; public ones need no token
      (pair): pair is [TemplateRoute, Policy] =>
        pair[1] !== undefined && pair[1].access !== 'public',
    );
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Claims exactly like the local issuer's, so only the property under test is wrong. */
function claims(group: string, now = Math.floor(Date.now() / 1000)) {
  return {
    sub: 'attacker',
    'cognito:groups': [group],
    'cognito:username': 'analyst',
    email: 'analyst@alliance.local',
    email_verified: true,
    token_use: 'id',
    auth_time: now,
    iss: LOCAL_ISSUER,
    aud: LOCAL_AUDIENCE,
    iat: now,
    exp: now + 3600,
  };
}

/** Authorization headers that must not get past the gateway, each named for the report. */
async function invalidCredentials(): Promise<Array<[string, string | null]>> {
  const secret = Buffer.from(
    JSON.parse(readFileSync(join(platform.dataDir, 'local-issuer.json'), 'utf8')).secret,
    'base64url',
  );
  const sign = (payload: Record<string, unknown>, key: Uint8Array) =>
    new SignJWT(payload).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(key);
  const trustToken = await issueToken(platform.dataDir, { group: 'trust-R1H' });
  const [header, , signature] = trustToken.split('.');
  return [
    ['no token', null],
    [
      'expired token',
      `Bearer ${await issueToken(platform.dataDir, { group: 'alliance', ttlSeconds: -60 })}`,
    ],
    ['token signed with another key', `Bearer ${await sign(claims('alliance'), randomBytes(32))}`],
    // a trust token whose payload was swapped for an alliance one, keeping the signature
    ['tampered payload', `Bearer ${header}.${base64url(claims('alliance'))}.${signature}`],
    [
      'alg none',
      `Bearer ${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims('alliance'))}.`,
    ],
    [
      'wrong audience (right key)',
      `Bearer ${await sign({ ...claims('alliance'), aud: 'another-client' }, secret)}`,
    ],
    [
      'access token, not an id token (right key)',
      `Bearer ${await sign({ ...claims('alliance'), token_use: 'access' }, secret)}`,
    ],
    ['malformed token', 'Bearer not-a-jwt'],
    ['empty bearer', 'Bearer '],
    ['basic credentials', `Basic ${Buffer.from('alliance:password').toString('base64')}`],
  ];
}

/**
 * What a refusal may say: a message and a code. Never a stack trace, a source path, or a
 * submission id or trust code the caller did not put in the request. Returns the problems found.
 */
function refusalLeaks(response: Response, request: Request, what: string): string[] {
  const asked = `${request.path} ${request.body ?? ''}`;
  const secrets = [seeded.rf4, seeded.r1h, seeded.allocationId, 'R1H', 'RF4', 'RQX'].filter(
    (value) => !asked.includes(value),
  );
  const leaked = secrets.filter((value) => response.text.includes(value));
  const internals = [/\bat .+:\d+:\d+/, /\.ts\b/, /node_modules/, /\/work\//, /Error:/].filter(
    (pattern) => pattern.test(response.text),
  );
  // nothing but an error message: no figures, rows or submissions
  const keys = Object.keys(response.json ?? {}).sort();
  const shapeOk =
    (keys.length === 1 && keys[0] === 'message') || (keys.length === 1 && keys[0] === 'error');
  return [
    ...leaked.map((value) => `${what}: the refusal names ${value} (${response.text})`),
    ...internals.map((pattern) => `${what}: the refusal matches ${pattern} (${response.text})`),
    ...(shapeOk ? [] : [`${what}: the refusal is not a bare error (${response.text})`]),
  ];
}

describe('the authorisation matrix over every route of the template', () => {
  it('finds the API in the template and has a stated policy for every route', () => {
    // Assess: at least the routes this file was written against
    expect(routes.map((route) => route.name)).toEqual(
      expect.arrayContaining(['GET /health', 'GET /submissions', 'POST /funding/allocations']),
    );
    const unclassified = routes.map((r) => r.name).filter((name) => !(name in POLICIES));
    expect(unclassified, 'add these routes to POLICIES with their access rule').toEqual([]);
    // a public policy must match a method without an authoriser, and vice versa
    const mismatched = routes
      .filter(
        (route) => (POLICIES[route.name]?.access === 'public') !== (route.authorization === 'NONE'),
      )
      .map((route) => `${route.name} (${route.authorization})`);
    expect(mismatched).toEqual([]);
  });

  it('serves the public routes without a token', async () => {
    const publicRoutes = routes.filter((route) => POLICIES[route.name]?.access === 'public');
    expect(publicRoutes.length).toBeGreaterThan(0);
    for (const route of publicRoutes) {
      const policy = POLICIES[route.name]!;
      const response = await call(policy.request(seeded), null);
      expect(response.status, route.name).toBe(policy.ok);
    }
  });

  it('refuses every unauthenticated request to every authorised route with 401', async () => {
    // Prepare
    const credentials = await invalidCredentials();
    const failures: string[] = [];

    // Act
    for (const [route, policy] of authorisedRoutes()) {
      const request = policy.request(seeded);
      for (const [what, header] of credentials) {
        const response = await call(request, header === null ? null : { header });
        if (response.status !== 401) failures.push(`${route.name} ${what}: ${response.status}`);
        else failures.push(...refusalLeaks(response, request, `${route.name} ${what}`));
      }
    }

    // Assess
    expect(failures).toEqual([]);
  });

  it('lets alliance staff call every authorised route', async () => {
    for (const [route, policy] of authorisedRoutes()) {
      const response = await call(policy.request(seeded), { group: 'alliance' });
      expect(response.status, `${route.name}: ${response.text.slice(0, 300)}`).toBe(policy.ok);
      policy.shows?.(response.json, seeded);
    }
  });

  it("gives RF4's staff RF4's data and refuses R1H's staff (403) on every route", async () => {
    const failures: string[] = [];
    for (const [route, policy] of authorisedRoutes()) {
      const request = policy.request(seeded);
      const own = await call(request, { group: 'trust-RF4' });
      const foreign = await call(request, { group: 'trust-R1H' });

      // a trust reaches its own data on trust-scoped routes, nothing on alliance-only ones
      const ownExpected = policy.access === 'trust-scoped' ? policy.ok : 403;
      if (own.status !== ownExpected) {
        failures.push(`${route.name} as trust-RF4: ${own.status}, expected ${ownExpected}`);
      } else if (ownExpected === policy.ok) {
        policy.shows?.(own.json, seeded);
      } else {
        failures.push(...refusalLeaks(own, request, `${route.name} as trust-RF4`));
      }
      if (foreign.status !== 403) {
        failures.push(`${route.name} as trust-R1H: ${foreign.status}, expected 403`);
      } else {
        failures.push(...refusalLeaks(foreign, request, `${route.name} as trust-R1H`));
      }
    }
    expect(failures).toEqual([]);
  });

  it("keeps a trust user's default scope to its own trust (and the alliance rows)", async () => {
    const scoped = authorisedRoutes().filter(([, policy]) => policy.defaultScope);
    expect(scoped.length).toBeGreaterThan(0);
    for (const [route, policy] of scoped) {
      const response = await call(policy.defaultScope!.request(seeded), { group: 'trust-R1H' });
      expect(response.status, route.name).toBe(policy.ok);
      expect(response.text, route.name).not.toContain(seeded.rf4);
      policy.defaultScope!.ownOnly(response.json, seeded);
    }
  });

  it('refuses a token in no recognised group (403) on every request of every route', async () => {
    const failures: string[] = [];
    for (const [route, policy] of authorisedRoutes()) {
      const requests = [
        policy.request(seeded),
        policy.defaultScope?.request(seeded),
        ...(policy.membersOnly?.(seeded) ?? []),
      ].filter((request): request is Request => request !== undefined);
      for (const request of requests) {
        for (const group of UNRECOGNISED_GROUPS) {
          const response = await call(request, { group });
          if (response.status !== 403) {
            failures.push(`${request.method} ${request.path} as ${group}: ${response.status}`);
          } else {
            failures.push(...refusalLeaks(response, request, `${route.name} as ${group}`));
          }
        }
      }
    }
    expect(failures).toEqual([]);
  });
});
