import { describe, expect, it } from 'vitest';
import {
  decodeConfigFromEnvironment,
  encodeConfigForEnvironment,
} from '../../../lambdas/core/config-codec';
import nel from '../../../lib/alliances/north-east-london.json';

describe('the config carried in ALLIANCE_CONFIG', () => {
  const json = JSON.stringify(nel);

  it('comes back byte for byte, and smaller than the JSON', () => {
    const encoded = encodeConfigForEnvironment(json);

    expect(decodeConfigFromEnvironment(encoded)).toBe(json);
    expect(encoded.startsWith('deflate:')).toBe(true);
    expect(encoded.length).toBeLessThan(json.length * 0.7);
  });

  it('is the same value for the same config (reproducible synth)', () => {
    expect(encodeConfigForEnvironment(json)).toBe(encodeConfigForEnvironment(json));
  });

  it('still reads plain JSON set by hand', () => {
    expect(decodeConfigFromEnvironment('{"name":"x"}')).toBe('{"name":"x"}');
  });

  it('refuses a corrupt compressed value instead of reading garbage', () => {
    const encoded = encodeConfigForEnvironment(json);
    expect(() => decodeConfigFromEnvironment(`${encoded.slice(0, 40)}`)).toThrow();
  });
});
