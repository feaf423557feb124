import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';

/**
 * What the running local platform wrote about itself in `{data dir}/runtime.json`: where its API
 * and S3 endpoint listen and which bucket takes uploads. The CLI reads it to talk to the platform.
 */
const RuntimeInfoSchema = z.object({
  apiUrl: z.string(),
  s3Endpoint: z.string(),
  region: z.string(),
  uploadBucket: z.string(),
});
export type RuntimeInfo = z.infer<typeof RuntimeInfoSchema>;

export function readRuntimeInfo(dataDir: string): RuntimeInfo {
  const file = resolve(dataDir, 'runtime.json');
  if (!existsSync(file)) {
    throw new Error(
      `The local platform is not running for data directory ${dataDir} (no runtime.json). Start it with "npm start" (add -- --data-dir ${dataDir} if it is not the default).`,
    );
  }
  return RuntimeInfoSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

/** Reference data: REFERENCE_DATA_DIR, else ../shared/data beside the project when present. */
export function defaultReferenceDir(): string | undefined {
  if (process.env.REFERENCE_DATA_DIR) return process.env.REFERENCE_DATA_DIR;
  const shared = resolve(process.cwd(), '..', 'shared', 'data');
  return existsSync(shared) ? shared : undefined;
}
