import { readdirSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

/**
 * Reads a V8 CPU profile (`node --cpu-prof`) and ranks where the time went: self time per
 * function and per source file. Self time is what a function spent in its own code, so the top
 * of the list is what to make cheaper (or call less).
 */

interface ProfileNode {
  readonly id: number;
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
    readonly columnNumber: number;
  };
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ProfileEntry {
  readonly name: string;
  readonly where: string;
  readonly selfMs: number;
  readonly share: number;
}

export interface ProfileSummary {
  readonly file: string;
  readonly totalMs: number;
  readonly functions: ProfileEntry[];
  readonly files: ProfileEntry[];
}

/**
 * The main thread's profile in `dir`: node writes one per thread, and tsx's module loader runs
 * in a worker that is idle most of the time, so the busiest profile is the one that did the work.
 */
export function busiestProfile(dir: string): string {
  const files = readdirSync(dir).filter((name) => name.endsWith('.cpuprofile'));
  let best: { path: string; busyUs: number } | null = null;
  for (const name of files) {
    const path = join(dir, name);
    const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
    const idle = new Set(
      profile.nodes.filter((node) => node.callFrame.functionName === '(idle)').map((n) => n.id),
    );
    let busyUs = 0;
    profile.samples.forEach((id, i) => {
      if (!idle.has(id)) busyUs += profile.timeDeltas[i] ?? 0;
    });
    if (!best || busyUs > best.busyUs) best = { path, busyUs };
  }
  if (!best) throw new Error(`No .cpuprofile in ${dir}.`);
  return best.path;
}

export interface ProfileBundle {
  /** The bundled script to run with `node --cpu-prof`. */
  readonly script: string;
  /** Maps the bundle's positions back to the TypeScript sources. */
  readonly map: SourceMap;
}

/**
 * Bundles a benchmark child with esbuild (not minified, names kept) and a source map: tsx
 * minifies whitespace, so its profiles put every function on line 1; a bundle's positions map
 * back to the source line of each hot function.
 */
export async function profileBundle(entry: string, outDir: string): Promise<ProfileBundle> {
  const script = join(outDir, 'profiled.mjs');
  await build({
    entryPoints: [entry],
    outfile: script,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'external',
    keepNames: true,
    logLevel: 'error',
    // CommonJS dependencies bundled into ESM need a require of their own.
    banner: {
      js: "import { createRequire as __benchRequire } from 'node:module'; const require = __benchRequire(import.meta.url);",
    },
  });
  const map = new SourceMap(JSON.parse(readFileSync(`${script}.map`, 'utf8')));
  return { script, map };
}

function shortPath(url: string, root: string): string {
  if (url === '') return '(native)';
  const path = url.startsWith('file://') ? new URL(url).pathname : url;
  const rel = relative(root, path);
  return rel.startsWith('node_modules/') ? rel.split('/').slice(0, 3).join('/') : rel;
}

export function summariseProfile(
  file: string,
  root: string,
  bundle?: ProfileBundle,
  top = 15,
): ProfileSummary {
  const bundleUrl = bundle ? pathToFileURL(bundle.script).href : null;
  const sourceDir = bundle ? join(bundle.script, '..') : root;
  /** The source file and line of a frame: through the bundle's map when it is the bundle's. */
  const locate = (frame: ProfileNode['callFrame']): { path: string; line: number } => {
    if (bundle && frame.url === bundleUrl) {
      const entry = bundle.map.findEntry(frame.lineNumber, frame.columnNumber) as {
        originalSource?: string;
        originalLine?: number;
      };
      if (entry.originalSource !== undefined && entry.originalLine !== undefined) {
        const source = entry.originalSource.startsWith('file://')
          ? new URL(entry.originalSource).pathname
          : join(sourceDir, entry.originalSource);
        return { path: shortPath(pathToFileURL(source).href, root), line: entry.originalLine + 1 };
      }
    }
    return { path: shortPath(frame.url, root), line: frame.lineNumber + 1 };
  };
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfById = new Map<number, number>();
  let totalUs = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    selfById.set(id, (selfById.get(id) ?? 0) + delta);
    totalUs += delta;
  });

  const functions = new Map<string, { name: string; where: string; us: number }>();
  const files = new Map<string, number>();
  for (const [id, us] of selfById) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    const { path, line } = locate(frame);
    const name = frame.functionName || '(anonymous)';
    const where = frame.url ? `${path}:${line}` : path;
    const key = `${name}@${where}`;
    const entry = functions.get(key) ?? { name, where, us: 0 };
    entry.us += us;
    functions.set(key, entry);
    const fileKey = frame.url ? path : name; // (garbage collector), (program), (idle)
    files.set(fileKey, (files.get(fileKey) ?? 0) + us);
  }
  const rank = <T extends { us: number }>(entries: T[]) =>
    entries.sort((a, b) => b.us - a.us).slice(0, top);
  const toEntry = (name: string, where: string, us: number): ProfileEntry => ({
    name,
    where,
    selfMs: us / 1000,
    share: totalUs > 0 ? us / totalUs : 0,
  });
  return {
    file,
    totalMs: totalUs / 1000,
    functions: rank([...functions.values()]).map((f) => toEntry(f.name, f.where, f.us)),
    files: rank([...files].map(([name, us]) => ({ name, us }))).map((f) =>
      toEntry(f.name, f.name, f.us),
    ),
  };
}
