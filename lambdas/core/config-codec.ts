import { deflateRawSync, inflateRawSync } from 'node:zlib';

/**
 * How the alliance config travels in a Lambda's ALLIANCE_CONFIG variable. Lambda allows 4 KB of
 * environment per function, and a config with a trust's column mapping is near that as JSON;
 * raw deflate + base64 carries it in about a third. Raw deflate has no header or timestamp, so
 * the same config always gives the same value and a synth is reproducible. Plain JSON is still
 * read, so a hand-set variable (a test, a debugging session) works.
 */

const PREFIX = 'deflate:';

export function encodeConfigForEnvironment(json: string): string {
  return PREFIX + deflateRawSync(Buffer.from(json, 'utf8'), { level: 9 }).toString('base64');
}

/** The config JSON from the variable; throws if the compressed form is corrupt. */
export function decodeConfigFromEnvironment(value: string): string {
  if (!value.startsWith(PREFIX)) return value;
  return inflateRawSync(Buffer.from(value.slice(PREFIX.length), 'base64')).toString('utf8');
}
