import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errors, type JWTPayload, jwtVerify, SignJWT } from 'jose';

/**
 * The local stand-in for the Cognito user pool: HS256 id tokens with Cognito's claim names,
 * signed by a secret created once per data directory (mode 0600).
 */
export const LOCAL_ISSUER = 'local-issuer';
export const LOCAL_AUDIENCE = 'local-app-client';
const ISSUER_FILE = 'local-issuer.json';
const DEFAULT_TTL_SECONDS = 3600;

export interface TokenRequest {
  /** The Cognito group, e.g. `alliance` or `trust-R1H`. */
  group: string;
  subject?: string;
  /** Lifetime; zero or negative issues an already-expired token (for tests). */
  ttlSeconds?: number;
}

export interface IdTokenClaims extends JWTPayload {
  sub: string;
  'cognito:groups': string[];
  'cognito:username': string;
  email: string;
  email_verified: boolean;
  token_use: 'id';
  auth_time: number;
}

export class TokenError extends Error {
  constructor(
    readonly code: 'TOKEN_EXPIRED' | 'TOKEN_INVALID',
    message: string,
  ) {
    super(message);
    this.name = 'TokenError';
  }
}

/**
 * The secret never changes once created, and the gateway verifies a token on every request, so
 * it is read once per data directory (reading the file each time was ~13% of the local API's
 * CPU under load). A failed read is not kept, so the next call tries again.
 */
const secrets = new Map<string, Promise<Uint8Array>>();

function issuerSecret(dataDir: string): Promise<Uint8Array> {
  let secret = secrets.get(dataDir);
  if (!secret) {
    secret = readOrCreateSecret(dataDir);
    secrets.set(dataDir, secret);
    secret.catch(() => secrets.delete(dataDir));
  }
  return secret;
}

async function readOrCreateSecret(dataDir: string): Promise<Uint8Array> {
  const file = join(dataDir, ISSUER_FILE);
  try {
    const stored = JSON.parse(await readFile(file, 'utf8')) as { secret: string };
    return Buffer.from(stored.secret, 'base64url');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dataDir, { recursive: true });
  const secret = randomBytes(32);
  const body = JSON.stringify({ secret: secret.toString('base64url'), createdAt: new Date() });
  try {
    await writeFile(file, body, { mode: 0o600, flag: 'wx' });
    return secret;
  } catch (error) {
    // another process created it first: use theirs so both verify each other's tokens
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readOrCreateSecret(dataDir);
    throw error;
  }
}

export async function issueToken(dataDir: string, request: TokenRequest): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const ttl = request.ttlSeconds ?? DEFAULT_TTL_SECONDS;
  const trust = /^trust-(.+)$/.exec(request.group)?.[1];
  const username = trust ? `${trust.toLowerCase()}.analyst` : 'analyst';
  const claims: Omit<IdTokenClaims, 'iss' | 'aud' | 'iat' | 'exp'> = {
    sub: request.subject ?? randomUUID(),
    'cognito:groups': [request.group],
    'cognito:username': username,
    email: `${username}@alliance.local`,
    email_verified: true,
    token_use: 'id',
    auth_time: now,
  };
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(LOCAL_ISSUER)
    .setAudience(LOCAL_AUDIENCE)
    .setIssuedAt(ttl > 0 ? now : now + ttl - 60)
    .setExpirationTime(now + ttl)
    .sign(await issuerSecret(dataDir));
}

export async function verifyToken(dataDir: string, token: string): Promise<IdTokenClaims> {
  try {
    const { payload } = await jwtVerify(token, await issuerSecret(dataDir), {
      issuer: LOCAL_ISSUER,
      audience: LOCAL_AUDIENCE,
      algorithms: ['HS256'],
    });
    if (payload.token_use !== 'id') throw new TokenError('TOKEN_INVALID', 'Not an id token');
    return payload as IdTokenClaims;
  } catch (error) {
    if (error instanceof TokenError) throw error;
    if (error instanceof errors.JWTExpired) throw new TokenError('TOKEN_EXPIRED', 'Token expired');
    throw new TokenError('TOKEN_INVALID', 'Token invalid');
  }
}
