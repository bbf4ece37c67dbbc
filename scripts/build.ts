/**
 * Builds what kybao runs from dist/ (the package's `prepare` script, so `npm ci` does it; `npm run build`
 * by hand):
 *
 *   dist/cli.mjs      the `kybao` command line (bin/kybao), from client/cli/main.ts
 *   dist/worker.mjs   the worker entrypoint for deployments (bin/kybao-worker), from worker/main.ts
 *   dist/main.mjs     the main job (scripts/start.sh), from scripts/main.ts
 *   dist/*-HASH.mjs   code they share or load on demand (one chunk per CLI command's action)
 *   dist/workflow-bundle.js + .json   the workflow bundle the worker loads (infra/workflow-bundle.ts)
 *
 *   tsx scripts/build.ts [--if-stale] [--only programs,workflows]
 *
 * The programs are one esbuild build of kybao's TypeScript (no type-check: `tsc --noEmit` does that),
 * as ES modules split into chunks, so that a command loads only its own code: `kybao --help` reads the
 * command declarations and commander, not the Temporal client, Prisma or zod. npm packages stay in
 * node_modules and are required when a chunk that uses them runs (or where a module requires them), except
 * the pure-JavaScript ones the commands use at once (commander, luxon, zod), which load faster from one
 * chunk than from their hundreds of files. `dist/programs.inputs` lists the repository files the programs were built from:
 * bin/kybao compares their times with dist/cli.mjs and runs the sources with tsx when one is newer.
 * The Prisma clients need not be generated to build.
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build, type Plugin } from 'esbuild';
import { writePrebuiltProgram } from '../client/cli/prebuilt-program';
import { defaultProgramPath, loadProgramFile } from '../domain/program/load-file';
import { REPO_ROOT } from '../infra/db/database-url';
import { DIST_DIR, prebuiltWorkflowBundle, writeWorkflowBundle } from '../infra/workflow-bundle';

/** npm packages bundled into the programs (see the header); every other package is required at run time. */
const INLINED_PACKAGES = new Set(['commander', 'luxon', 'zod']);

/** The programs' entry files, by output name (dist/<name>.mjs). */
export const PROGRAMS = {
  cli: 'client/cli/main.ts',
  worker: 'worker/main.ts',
  main: 'scripts/main.ts',
} as const;
const TARGETS = ['programs', 'workflows'] as const;
type Target = (typeof TARGETS)[number];
export const PROGRAM_INPUTS = path.join(DIST_DIR, 'programs.inputs');

const HELP = `Usage: tsx scripts/build.ts [--if-stale] [--only TARGETS] [--help]

Builds dist/cli.mjs, dist/worker.mjs, dist/main.mjs and their chunks (esbuild), and
dist/workflow-bundle.js (Temporal's webpack bundler). npm ci runs it (the prepare script); run it again
after editing the sources, or let bin/kybao run the sources with tsx until you do.

  --if-stale       build only what is missing or older than its sources
  --only TARGETS   comma-separated subset of: ${TARGETS.join(', ')}`;

/**
 * Every output file starts like a CommonJS module, which is what kybao's code (compiled from
 * TypeScript to CommonJS everywhere else: tsx, jest) expects: a `require` (the generated Prisma client
 * is required by a computed name), `__filename` and `__dirname`.
 */
const BANNER = [
  "import { createRequire as __kybaoCreateRequire } from 'node:module';",
  "import { fileURLToPath as __kybaoFileURLToPath } from 'node:url';",
  "import { dirname as __kybaoDirname } from 'node:path';",
  'const require = __kybaoCreateRequire(import.meta.url);',
  'const __filename = __kybaoFileURLToPath(import.meta.url);',
  'const __dirname = __kybaoDirname(__filename);',
].join(' ');

/** The package a bare import names: "@temporalio/client/lib/x" → "@temporalio/client". */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/**
 * A bundle puts many modules in one file, so two things a module knows about itself must be kept:
 * `__dirname` (kybao finds its program file, migrations and the repository root relative to its own
 * source folder) becomes that source folder, relative to dist/ so the checkout can move; and
 * `require.main === module` (a module run as a script, e.g. prisma/generate-postgresql-schema.ts) is
 * true only for a program's entry file.
 */
function keepSourceLocation(entries: string[]): Plugin {
  return {
    name: 'kybao-source-location',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, (args) => {
        if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
        const folder = path.relative(DIST_DIR, path.dirname(args.path)).split(path.sep).join('/');
        const text = readFileSync(args.path, 'utf8')
          .replace(/\b__dirname\b/g, `require("node:path").join(__dirname, ${JSON.stringify(folder)})`)
          .replace(/require\.main === module/g, entries.includes(args.path) ? 'true' : 'false');
        return { contents: text, loader: 'ts' };
      });
    },
  };
}

/**
 * npm packages stay in node_modules (except the inlined ones) and are loaded with `require`, as they
 * are from the sources: each becomes a one-line CommonJS module that esbuild initialises only when the
 * chunk importing it runs, so a command that never connects never loads the Temporal client. (Import
 * packages statically from modules that are themselves loaded on demand, like client/cli/actions/*:
 * `await import('some-package')` would give only its default export here.)
 */
const requiredPackages: Plugin = {
  name: 'kybao-required-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:') || INLINED_PACKAGES.has(packageOf(args.path))) return undefined;
      if (args.namespace === 'kybao-package') return { path: args.path, external: true };
      return { path: args.path, namespace: 'kybao-package' };
    });
    b.onLoad({ filter: /.*/, namespace: 'kybao-package' }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: 'js' }));
  },
};

/**
 * zod bundles translations of its own messages into some forty languages (`z.locales`), about 40% of its
 * code: kybao writes its messages itself (domain/round/schema.ts describeZodError) and uses none of them,
 * and every command that validates pays to parse them. The build keeps English (zod's default) only;
 * `z.locales.<other>` is undefined in dist/.
 */
const zodEnglishOnly: Plugin = {
  name: 'kybao-zod-english-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.c?js$/ }, (args) => {
      if (!args.importer.includes(`${path.sep}node_modules${path.sep}zod${path.sep}`)) return undefined;
      const en = path.join(path.dirname(args.importer), '..', 'locales', args.path.endsWith('.cjs') ? 'en.cjs' : 'en.js');
      return { path: en, namespace: 'kybao-zod-locales' };
    });
    b.onLoad({ filter: /.*/, namespace: 'kybao-zod-locales' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      loader: 'js',
      resolveDir: path.dirname(args.path),
    }));
  },
};

/** Why the programs must be rebuilt, or null when dist/cli.mjs is newer than every file they were built from. */
export function programsStaleness(): string | null {
  const built = Math.min(
    ...Object.keys(PROGRAMS).map((name) => statSync(path.join(DIST_DIR, `${name}.mjs`), { throwIfNoEntry: false })?.mtimeMs ?? -1),
  );
  if (built < 0) return 'dist/*.mjs is missing';
  let inputs: string[];
  try {
    inputs = readFileSync(PROGRAM_INPUTS, 'utf8').split('\n').filter(Boolean);
  } catch {
    return 'dist/programs.inputs is missing';
  }
  for (const input of inputs) {
    const stat = statSync(path.join(REPO_ROOT, input), { throwIfNoEntry: false });
    if (!stat) return `${input} is gone`;
    if (stat.mtimeMs > built) return `${input} is newer`;
  }
  return null;
}

/** Builds dist/{cli,worker,main}.mjs and their chunks, replacing the previous build's files. */
export async function buildPrograms(): Promise<void> {
  mkdirSync(DIST_DIR, { recursive: true });
  for (const f of readdirSync(DIST_DIR)) if (/\.mjs(\.map)?$/.test(f) || f === 'programs.inputs' || f === 'default-program.json') rmSync(path.join(DIST_DIR, f));
  const entries = Object.fromEntries(Object.entries(PROGRAMS).map(([name, file]) => [name, path.join(REPO_ROOT, file)]));
  const result = await build({
    entryPoints: entries,
    outdir: DIST_DIR,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // The Temporal client names a workflow type after its function (`client.workflow.start(roundWorkflow)`):
    // names must survive bundling.
    keepNames: true,
    // Less to parse at start-up; identifiers stay readable in stack traces (and source maps map them back).
    minifyWhitespace: true,
    minifySyntax: true,
    sourcemap: true,
    metafile: true,
    banner: { js: BANNER },
    logLevel: 'warning',
    // A computed require (the generated Prisma client, chosen by provider) stays a run-time require.
    logOverride: { 'unsupported-require-call': 'silent' },
    plugins: [requiredPackages, zodEnglishOnly, keepSourceLocation(Object.values(entries))],
    // The build's own files (client/cli/prebuilt-program.ts) are used only by the build.
    define: { 'process.env.KYBAO_BUILT': '"1"' },
  });
  // Validated once here, read as JSON by `kybao calendar` (client/cli/prebuilt-program.ts).
  writePrebuiltProgram(loadProgramFile(defaultProgramPath));
  const inputs = Object.keys(result.metafile.inputs)
    .filter((p) => !p.includes(':'))
    .map((p) => path.relative(REPO_ROOT, path.resolve(process.cwd(), p)).split(path.sep).join('/'))
    .filter((p) => !p.startsWith('node_modules/') && !p.startsWith('..'))
    .sort();
  writeFileSync(PROGRAM_INPUTS, inputs.join('\n') + '\n');
}

function parseArgs(argv: string[]): { ifStale: boolean; only: Target[] } {
  let ifStale = false;
  let only: Target[] = [...TARGETS];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      console.log(HELP);
      process.exit(0);
    } else if (arg === '--if-stale') ifStale = true;
    else if (arg === '--only') {
      const list = (argv[++i] ?? '').split(',').filter(Boolean);
      const unknown = list.filter((t) => !(TARGETS as readonly string[]).includes(t));
      if (!list.length || unknown.length) throw new Error(`--only takes a comma-separated list of ${TARGETS.join(', ')} (got "${argv[i] ?? ''}")`);
      only = list as Target[];
    } else throw new Error(`unknown argument "${arg}"; see --help`);
  }
  return { ifStale, only };
}

/** Builds the targets (all by default; with ifStale only those out of date) and says what it did on stderr. */
export async function buildTargets(options: { ifStale?: boolean; only?: readonly Target[]; log?: (line: string) => void } = {}): Promise<void> {
  const log = options.log ?? ((line: string) => process.stderr.write(`[kybao] build: ${line}\n`));
  for (const target of options.only ?? TARGETS) {
    const started = Date.now();
    if (target === 'workflows') {
      if (options.ifStale && 'bundle' in prebuiltWorkflowBundle()) continue;
      await writeWorkflowBundle();
      log(`dist/workflow-bundle.js (${Date.now() - started} ms)`);
    } else {
      if (options.ifStale && programsStaleness() === null) continue;
      await buildPrograms();
      log(`dist/{${Object.keys(PROGRAMS).join(',')}}.mjs (${Date.now() - started} ms)`);
    }
  }
}

if (require.main === module) {
  Promise.resolve()
    .then(() => buildTargets(parseArgs(process.argv.slice(2))))
    .catch((err: unknown) => {
      process.stderr.write(`[kybao] build failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    });
}
