/**
 * The project's own Lambda functions (the RLS bootstrap custom resource and the analytics
 * transformation), bundled once with esbuild into a folder that `lambda.Code.fromAsset` takes as
 * is. Written once here: the package build (scripts/build-lambdas.ts, run by `npm run build`)
 * and the constructs read the same specs.
 *
 * - Installed package (compiled JavaScript under dist/): the bundles are prebuilt in
 *   dist/lambda/<name>/, so a consumer's `cdk synth` needs no esbuild, TypeScript, ts-node or
 *   Docker.
 * - This repository (TypeScript sources run by ts-node or ts-jest): the bundle is built on demand
 *   with esbuild (a devDependency) from the current sources into
 *   node_modules/.cache/tenant-isolation-blueprint/lambda/<name>-<content hash>/, written to a
 *   temporary folder and renamed into place, so parallel synths and test workers never read a
 *   half-written bundle and an edited handler never runs stale.
 *
 * Both paths produce the same bytes (the output file name is fixed, so the source map is too), so
 * the asset hash of a function is the same in this repository and in a consumer's app.
 *
 * The AWS SDK for JavaScript v3 stays external: the Lambda Node.js 18+ runtimes provide it
 * (Lambda Developer Guide, lambda-nodejs), which is also what NodejsFunction assumes by default.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

export interface LambdaBundleSpec {
  /** Folder name of the bundle (dist/lambda/<name>). */
  readonly name: string;
  /** Entry point, relative to lib/. */
  readonly entry: string;
  /** The bundle's file name; the function's handler is `<basename>.<export>`. */
  readonly outfile: string;
  readonly minify: boolean;
  /** Writes `<outfile>.map` (with sources content); run the function with --enable-source-maps. */
  readonly sourceMap: boolean;
  /** Files copied next to the bundle: source path relative to the package root -> file name. */
  readonly extraFiles: Readonly<Record<string, string>>;
}

export const LAMBDA_BUNDLES = {
  rlsBootstrap: {
    name: 'rls-bootstrap',
    entry: 'boundaries/database/rls-bootstrap/handler.ts',
    outfile: 'handler.js',
    // Readable in the Lambda console: small, and read by whoever reviews what runs against the
    // database as its master user.
    minify: false,
    sourceMap: false,
    extraFiles: { 'policies/rls/bootstrap.sql': 'bootstrap.sql' },
  },
  analyticsTransform: {
    name: 'analytics-transform',
    entry: 'boundaries/analytics/analytics-transform/handler.ts',
    outfile: 'index.js',
    // As NodejsFunction bundled it before: { minify: true, sourceMap: true, target: 'node24' }.
    minify: true,
    sourceMap: true,
    extraFiles: {},
  },
} as const satisfies Record<string, LambdaBundleSpec>;

/** esbuild target of every bundle: the functions run on the Lambda nodejs24.x runtime. */
export const LAMBDA_BUNDLE_TARGET = 'node24';

/** Where `npm run build` puts the bundles, relative to the package root. */
export const PREBUILT_LAMBDA_DIR = path.join('dist', 'lambda');

export class LambdaBundleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LambdaBundleError';
  }
}

/** True when this module runs from the TypeScript sources (this repository), not from dist/. */
function runningFromSources(): boolean {
  return __filename.endsWith('.ts');
}

/** The package root: lib/boundaries/ (sources) or dist/lib/boundaries/ (compiled) lie below it. */
export function packageRoot(): string {
  return runningFromSources() ? path.join(__dirname, '..', '..') : path.join(__dirname, '..', '..', '..');
}

/** One bundled file: its name in the bundle folder and its bytes. */
export interface BundleFile {
  readonly file: string;
  readonly contents: Uint8Array;
}

/**
 * Bundles `spec` with esbuild (synchronously) from the sources under `root`/lib and returns the
 * files of the bundle folder, sorted. Needs esbuild, a devDependency: only this repository and the
 * package build call it.
 */
export function buildLambdaBundle(spec: LambdaBundleSpec, root: string = packageRoot()): BundleFile[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as typeof import('esbuild');
  // A fixed output path (where the package build writes it), so the source map's relative source
  // paths, and so the asset hash, do not depend on where the bundle is built.
  const outfile = path.join(root, PREBUILT_LAMBDA_DIR, spec.name, spec.outfile);
  const result = esbuild.buildSync({
    entryPoints: [path.join(root, 'lib', spec.entry)],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: LAMBDA_BUNDLE_TARGET,
    outfile,
    write: false,
    minify: spec.minify,
    sourcemap: spec.sourceMap,
    external: ['@aws-sdk/*'],
    logLevel: 'silent',
    absWorkingDir: root,
  });
  const files: BundleFile[] = result.outputFiles.map((o) => ({ file: path.relative(path.dirname(outfile), o.path), contents: o.contents }));
  for (const [from, to] of Object.entries(spec.extraFiles)) {
    files.push({ file: to, contents: fs.readFileSync(path.join(root, from)) });
  }
  return files.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

/** Writes the bundle's files into `dir` (which must not exist) through a temporary sibling. */
export function writeLambdaBundle(files: readonly BundleFile[], dir: string): void {
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const tmp = fs.mkdtempSync(`${dir}.tmp-`);
  // mkdtemp creates 0700; the asset folder is zipped for Lambda and shipped in the package.
  fs.chmodSync(tmp, 0o755);
  for (const f of files) fs.writeFileSync(path.join(tmp, f.file), f.contents);
  try {
    fs.renameSync(tmp, dir);
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    // Another process (a parallel test worker) put the same content-addressed bundle in place.
    if (!fs.existsSync(dir)) throw e;
  }
}

const builtThisProcess = new Map<string, string>();

/**
 * The folder holding the bundle of `spec`, ready for `lambda.Code.fromAsset`: the prebuilt one of
 * an installed package, or (in this repository) one built now from the current sources.
 */
export function lambdaBundleDir(spec: LambdaBundleSpec): string {
  const root = packageRoot();
  if (!runningFromSources()) {
    const dir = path.join(root, PREBUILT_LAMBDA_DIR, spec.name);
    if (!fs.existsSync(path.join(dir, spec.outfile))) {
      throw new LambdaBundleError(
        `tenant-isolation-blueprint: the prebuilt Lambda bundle ${dir} is missing (${spec.outfile}); the package is incomplete: reinstall it, or run "npm run build" in its source tree`,
      );
    }
    return dir;
  }
  const cached = builtThisProcess.get(spec.name);
  if (cached) return cached;
  const files = buildLambdaBundle(spec, root);
  const hash = createHash('sha256');
  for (const f of files) hash.update(f.file).update('\0').update(f.contents).update('\0');
  const dir = path.join(root, 'node_modules', '.cache', 'tenant-isolation-blueprint', 'lambda', `${spec.name}-${hash.digest('hex').slice(0, 16)}`);
  if (!fs.existsSync(dir)) writeLambdaBundle(files, dir);
  builtThisProcess.set(spec.name, dir);
  return dir;
}
