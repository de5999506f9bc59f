// Build: precompile every JSON schema in schemas/ into standalone ajv validators (compiling at run
// time costs ~400 ms per start), then bundle both programs with esbuild (execa's ~100 small
// modules cost ~100 ms unbundled; commands are split into lazily loaded chunks), and compile the
// runtime's native front (native/front.c) when a C compiler is there.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { Ajv } from 'ajv';
import Ajv04 from 'ajv-draft-04';
import standaloneModule from 'ajv/dist/standalone/index.js';

const standalone = standaloneModule.default;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const schemas = path.join(root, 'schemas');
const generated = path.join(root, 'src/generated');
fs.mkdirSync(generated, { recursive: true });

const readJson = (file) => JSON.parse(fs.readFileSync(file, 'utf8'));
const exportName = (file) => file.replace(/(\.schema)?\.json$/, '').replace(/-(\w)/g, (_, c) => c.toUpperCase());

// ajv's standalone code collects a referenced schema's errors with `vErrors.concat(...)` once per
// array item: quadratic (80,000 bad mounts took minutes). Appending in place keeps it linear.
const linearErrors = (code) =>
  code.replace(
    /vErrors = vErrors === null \? (validate\d+)\.errors : vErrors\.concat\(\1\.errors\);/g,
    (_, v) => `if (vErrors === null) vErrors = ${v}.errors; else for (const e of ${v}.errors) vErrors.push(e);`,
  );

// Writes NAME.cjs (the validators) and NAME.d.cts (their types) into src/generated.
function writeValidators(name, ajv, exportsByName) {
  fs.writeFileSync(path.join(generated, `${name}.cjs`), linearErrors(standalone(ajv, exportsByName)));
  const decls = Object.keys(exportsByName)
    .map((n) => `export declare const ${n}: ValidateFunction;`)
    .join('\n');
  fs.writeFileSync(path.join(generated, `${name}.d.cts`), `import type { ValidateFunction } from 'ajv';\n${decls}\n`);
}

// The runtime-spec schemas are draft-04 and reference each other by bare file name.
const oci = new Ajv04({ allErrors: true, strict: false, code: { source: true } });
const ociDir = path.join(schemas, 'oci-runtime-spec');
for (const f of fs.readdirSync(ociDir).filter((f) => f.endsWith('.json')))
  oci.addSchema(readJson(path.join(ociDir, f)), f);
writeValidators('oci-validators', oci, {
  config: 'config-schema.json',
  state: 'state-schema.json',
  features: 'features-schema.json',
});

// The project's own schemas (draft-07): schemas/NAME.schema.json exports camelCase NAME.
const own = new Ajv({ allErrors: true, useDefaults: true, code: { source: true } });
const ownExports = {};
for (const f of fs.readdirSync(schemas).filter((f) => f.endsWith('.schema.json'))) {
  own.addSchema(readJson(path.join(schemas, f)), f);
  ownExports[exportName(f)] = f;
}
writeValidators('validators', own, ownExports);

if (process.argv.includes('--schemas-only')) process.exit(0);

const common = {
  absWorkingDir: root,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // CJS dependencies (ajv runtime, handlebars, tmp) call require() inside an ESM bundle.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  logLevel: 'error',
};
// Stale chunks from earlier builds would pile up under content-hashed names.
fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
await Promise.all([
  build({
    ...common,
    entryPoints: { 'slurm-oci': 'src/bin/slurm-oci.ts', 'scrun-supervisor': 'src/bin/scrun-supervisor.ts' },
    outdir: 'dist',
    chunkNames: 'chunks/[name]-[hash]',
  }),
  // The runtime on its own, as one CommonJS file: Podman execs it for every operation, and Node's
  // ES module loader and every extra module add start-up time (about 15 ms with Debian's node).
  build({
    ...common,
    entryPoints: ['src/bin/slurm-oci-runtime.ts'],
    outfile: 'dist/slurm-oci-runtime.cjs',
    splitting: false,
    format: 'cjs',
    define: { 'import.meta.url': '__importMetaUrl' },
    banner: { js: "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  }),
]);

await import('./build-front.mjs');
