#!/usr/bin/env bash
# The package as a consumer gets it (run by .ci/run after the audit; `npm run consumer-test`).
#
#   bash scripts/consumer-test.sh [BLUEPRINT_CDK_OUT]   (default: cdk.out, synthesized if missing)
#
# 1. `npm pack` (prepack builds dist/), and the tarball ships only what users need.
# 2. A fresh CDK app in a temp folder installs the tarball plus aws-cdk-lib, constructs and
#    cdk-nag at the versions this repo pins (npm registry / npm cache), and no esbuild, TypeScript
#    or ts-node. scripts/consumer-test/app.ts is type-checked against the package's declarations
#    (node16 and node10 module resolution) and compiled; its clean stack synthesizes (with the
#    prebuilt Lambda bundles in the assets), its planted unscoped grant fails the synth on TI-IAM1.
#    The README's jest example (scripts/consumer-test/isolation.test.ts, on the app of
#    tenant-stack.ts) type-checks against the package's declarations, compiles, and runs under jest:
#    it passes on the clean app and fails on a planted leak, naming the rule and the principal.
# 3. The INSTALLED `tenant-isolation` CLI: `--help` timed, `audit` of the blueprint's cdk.out
#    (exit code 0, reports with no errors or warnings).
# 4. In a folder where aws-cdk-lib is not installed (`npm install --omit=peer`):
#    require('tenant-isolation-blueprint/runtime') gives TenantTokenVerifier and cacheKey.
# Prints every check; exits non-zero on the first failure.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
STARTED=$(date +%s.%N)
BLUEPRINT_OUT="$(realpath -m "${1:-cdk.out}")"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/tib-consumer-XXXXXX")"
# Removed on success; kept (and named) on a failure, to look at.
trap 'rc=$?; if [ "$rc" = 0 ]; then rm -rf "$WORK"; else echo "consumer test: work folder kept: $WORK" >&2; fi' EXIT
NPM_FLAGS=(--no-audit --no-fund --prefer-offline --loglevel=error)
TSC=("$(command -v node)" "$ROOT/node_modules/typescript/bin/tsc")

pass() { echo "  ok: $*"; }
fail() { echo "  FAIL: $*" >&2; exit 1; }
pinned() { node -p "require('./package.json').devDependencies['$1']"; }

echo "== consumer test (work folder $WORK) =="

echo "-- npm pack"
npm pack --pack-destination "$WORK" --silent > "$WORK/pack.out" 2> "$WORK/pack.log" || { cat "$WORK/pack.out" "$WORK/pack.log" >&2; fail "npm pack (its prepack build)"; }
TARBALL="$WORK/$(tail -n 1 "$WORK/pack.out")"
[ -f "$TARBALL" ] || fail "npm pack wrote no tarball ($(cat "$WORK/pack.out"))"
tar -tzf "$TARBALL" | sed 's#^package/##' | sort > "$WORK/files.txt"
pass "$(basename "$TARBALL"): $(wc -l < "$WORK/files.txt") files, $(du -k "$TARBALL" | cut -f1) KiB"
for f in package.json README.md LICENSE bin/tenant-isolation.js dist/bin/cli.js dist/lib/index.js dist/lib/index.d.ts \
  dist/lib/runtime/index.js dist/lib/audit/index.d.ts dist/lib/jest/index.js dist/lib/jest/index.d.ts dist/lambda/rls-bootstrap/handler.js dist/lambda/rls-bootstrap/bootstrap.sql \
  dist/lambda/analytics-transform/index.js policies/rls/bootstrap.sql schemas/tenant-isolation.schema.json; do
  grep -qxF "$f" "$WORK/files.txt" || fail "the tarball lacks $f"
done
pass "ships the compiled library, declarations, CLI, prebuilt Lambda bundles and policies"
if grep -E '^(test|scripts|lib|\.ci)/|^bin/cli\.ts$|^dist/.*\.test\.|^tsconfig|^cdk\.json$|^tenants\.json$|\.ts$' "$WORK/files.txt" | grep -v '\.d\.ts$' > "$WORK/unwanted.txt"; then
  fail "the tarball ships files users do not need: $(head -5 "$WORK/unwanted.txt" | tr '\n' ' ')"
fi
pass "ships no sources, tests, scripts or repo config"

echo "-- a fresh CDK app installs the tarball with aws-cdk-lib $(pinned aws-cdk-lib), constructs $(pinned constructs), cdk-nag $(pinned cdk-nag) (and the aws-cdk CLI $(pinned aws-cdk), jest $(pinned jest))"
APP="$WORK/app"
mkdir -p "$APP"
cat > "$APP/package.json" <<EOF
{ "name": "consumer-app", "version": "0.0.0", "private": true, "license": "UNLICENSED",
  "dependencies": { "tenant-isolation-blueprint": "file:$TARBALL", "aws-cdk-lib": "$(pinned aws-cdk-lib)",
    "constructs": "$(pinned constructs)", "cdk-nag": "$(pinned cdk-nag)" },
  "devDependencies": { "aws-cdk": "$(pinned aws-cdk)", "jest": "$(pinned jest)" } }
EOF
# cdk.json as `cdk init` writes it: the app command and the recommended feature flags (this
# repo's, for the aws-cdk-lib version it pins).
node -e '
  const ctx = require(process.argv[1]).context;
  require("fs").writeFileSync(process.argv[2], JSON.stringify({ app: "node out-node16/app.js", context: ctx }, null, 2));
' "$ROOT/cdk.json" "$APP/cdk.json"
(cd "$APP" && npm install "${NPM_FLAGS[@]}" > "$WORK/install-app.log" 2>&1) || { cat "$WORK/install-app.log" >&2; fail "npm install in the consumer app"; }
pass "installed"
for tool in esbuild typescript ts-node; do
  [ ! -e "$APP/node_modules/$tool" ] || fail "$tool is installed in the consumer app; the synth must not need it"
done
pass "no esbuild, typescript or ts-node in the consumer app"

cp "$ROOT/scripts/consumer-test/app.ts" "$APP/app.ts"
for resolution in node16 node10; do
  module=$([ "$resolution" = node16 ] && echo node16 || echo commonjs)
  cat > "$APP/tsconfig.$resolution.json" <<EOF
{ "compilerOptions": { "target": "ES2022", "module": "$module", "moduleResolution": "$resolution", "strict": true,
    "skipLibCheck": true, "typeRoots": ["$ROOT/node_modules/@types"], "types": ["node"], "outDir": "out-$resolution" },
  "files": ["app.ts"] }
EOF
  (cd "$APP" && "${TSC[@]}" -p "tsconfig.$resolution.json" > "$WORK/tsc-$resolution.log" 2>&1) || { cat "$WORK/tsc-$resolution.log" >&2; fail "app.ts does not type-check against the package (moduleResolution $resolution)"; }
  pass "app.ts type-checks and compiles against the package's declarations (moduleResolution $resolution)"
done

synth_case() { # case outdir -> exit code of `cdk synth`; output in $WORK/synth-<case>.log
  (cd "$APP" && CDK_DISABLE_CLI_TELEMETRY=true npx --no-install cdk synth --quiet --no-notices -c "case=$1" -o "$2" > "$WORK/synth-$1.log" 2>&1)
}
if synth_case clean "$WORK/clean.out"; then
  pass "cdk synth of the clean stack passes with TenantIsolationChecks on"
else
  cat "$WORK/synth-clean.log" >&2
  fail "the clean stack does not synthesize"
fi
node -e '
  // Each Lambda function of the consumer stack: its asset folder must hold the prebuilt bundle
  // of the installed package, byte for byte.
  const fs = require("fs"), path = require("path");
  const [out, pkg] = process.argv.slice(1);
  const t = JSON.parse(fs.readFileSync(path.join(out, "Consumer.template.json"), "utf8"));
  const expected = { "Consumer/Database/RlsBootstrap/Function/Resource": "rls-bootstrap", "Consumer/Analytics/Transform/Resource": "analytics-transform" };
  const seen = [];
  for (const [id, r] of Object.entries(t.Resources)) {
    const bundle = expected[r.Metadata?.["aws:cdk:path"]];
    if (r.Type !== "AWS::Lambda::Function" || !bundle) continue;
    const asset = path.join(out, "asset." + String(r.Properties.Code.S3Key).replace(/\.zip$/, ""));
    const prebuilt = path.join(pkg, "dist", "lambda", bundle);
    const files = fs.readdirSync(prebuilt).sort();
    // The transformation also carries the offboarded-tenant list of this synth beside the bundle.
    const extra = bundle === "analytics-transform" ? ["refused-tenants.json"] : [];
    const want = [...files, ...extra].sort();
    if (JSON.stringify(fs.readdirSync(asset).sort()) !== JSON.stringify(want)) throw new Error(`${id}: asset ${asset} holds ${fs.readdirSync(asset)}, expected ${want}`);
    if (extra.length && fs.readFileSync(path.join(asset, extra[0]), "utf8") !== JSON.stringify(["retired-co"])) throw new Error(`${id}: refused-tenants.json does not hold the app\u0027s refusedTenants`);
    for (const f of files) if (!fs.readFileSync(path.join(asset, f)).equals(fs.readFileSync(path.join(prebuilt, f)))) throw new Error(`${id}: ${f} differs from dist/lambda/${bundle}`);
    seen.push(`${id} = dist/lambda/${bundle} (${files.join(", ")})`);
  }
  if (seen.length !== 2) throw new Error(`expected the RLS bootstrap and the analytics transformation, found ${seen.length}: ${seen}`);
  console.log("  ok: the functions ship the package\u0027s prebuilt bundles: " + seen.join("; "));
' "$WORK/clean.out" "$APP/node_modules/tenant-isolation-blueprint" || fail "the consumer's Lambda assets are not the package's prebuilt bundles"
if synth_case planted "$WORK/planted.out"; then
  cat "$WORK/synth-planted.log" >&2
  fail "the stack with an unscoped tenant-data grant synthesized"
fi
grep -q 'TI-IAM1' "$WORK/synth-planted.log" || { cat "$WORK/synth-planted.log" >&2; fail "the planted grant failed the synth, but not on TI-IAM1"; }
grep -q 'PlantedAnyTenant' "$WORK/synth-planted.log" || { cat "$WORK/synth-planted.log" >&2; fail "the TI-IAM1 report does not name the planted statement"; }
grep -q 'Consumer/TenantAccess' "$WORK/synth-planted.log" || { cat "$WORK/synth-planted.log" >&2; fail "the TI-IAM1 report does not name the construct path"; }
pass "cdk synth of the planted unscoped grant fails: $(grep -o 'TI-IAM1\[[A-Za-z0-9#]*\]' "$WORK/synth-planted.log" | sort -u | tr '\n' ' ')on Consumer/TenantAccess"

echo "-- the README's jest example in the consumer app (tenant-isolation-blueprint/jest, jest $(pinned jest))"
cp "$ROOT/scripts/consumer-test/tenant-stack.ts" "$ROOT/scripts/consumer-test/isolation.test.ts" "$APP/"
for resolution in node16 node10; do
  module=$([ "$resolution" = node16 ] && echo node16 || echo commonjs)
  cat > "$APP/tsconfig.jest-$resolution.json" <<EOF
{ "compilerOptions": { "target": "ES2022", "module": "$module", "moduleResolution": "$resolution", "strict": true,
    "skipLibCheck": true, "typeRoots": ["$ROOT/node_modules/@types"], "types": ["node", "jest"], "outDir": "out-jest" },
  "files": ["isolation.test.ts", "tenant-stack.ts"] }
EOF
  (cd "$APP" && "${TSC[@]}" -p "tsconfig.jest-$resolution.json" > "$WORK/tsc-jest-$resolution.log" 2>&1) || { cat "$WORK/tsc-jest-$resolution.log" >&2; fail "isolation.test.ts does not type-check against the package (moduleResolution $resolution)"; }
done
pass "isolation.test.ts (the README example) type-checks and compiles against tenant-isolation-blueprint/jest (node16 and node10)"
jest_case() { # case -> exit code of jest; output in $WORK/jest-<case>.log
  (cd "$APP" && CONSUMER_CASE="$1" npx --no-install jest --rootDir out-jest --ci=false --colors=false > "$WORK/jest-$1.log" 2>&1)
}
jest_case clean || { cat "$WORK/jest-clean.log" >&2; fail "the jest example fails on the clean app"; }
grep -q 'Tests: *2 passed, 2 total' "$WORK/jest-clean.log" || { cat "$WORK/jest-clean.log" >&2; fail "the jest example did not run its 2 tests"; }
grep -q '1 snapshot written' "$WORK/jest-clean.log" || { cat "$WORK/jest-clean.log" >&2; fail "the surface snapshot was not written"; }
grep -qF 'on <Documents/Pool>/tenants/{tenant}/*' "$APP"/out-jest/__snapshots__/isolation.test.js.snap || fail "the surface snapshot lacks the tenant-scoped grant"
pass "jest on the clean app: 2 tests pass, the access surface snapshot is written"
if jest_case planted; then cat "$WORK/jest-planted.log" >&2; fail "the jest example passed on the app with a planted leak"; fi
for want in 'expected no cross-tenant access' 'TI-UNSCOPED-GRANT' 'consumer-TenantAccessRole' 'statement PlantedAnyTenant' 'Snapshot'; do
  grep -q "$want" "$WORK/jest-planted.log" || { cat "$WORK/jest-planted.log" >&2; fail "the failing jest run does not say $want"; }
done
pass "jest on the planted leak fails: the matcher names TI-UNSCOPED-GRANT on consumer-TenantAccessRole (statement PlantedAnyTenant), and the snapshot diff shows the grant"

echo "-- the installed tenant-isolation CLI"
BIN="$APP/node_modules/.bin/tenant-isolation"
[ -x "$BIN" ] || fail "the package installed no tenant-isolation bin"
# Best of 3. The guard is on CPU time (user + sys), which a loaded shared machine does not
# inflate; wall time is printed too. Loading the audit or the AWS SDK eagerly would cross it.
best_wall=""; best_cpu=""
for _ in 1 2 3; do
  TIMEFORMAT='%3R %3U %3S'
  { time "$BIN" --help > "$WORK/help.txt"; } 2> "$WORK/help-time.txt"
  read -r wall user sys < "$WORK/help-time.txt"
  wall_ms=$(node -p "Math.round($wall * 1000)"); cpu_ms=$(node -p "Math.round(($user + $sys) * 1000)")
  if [ -z "$best_wall" ] || [ "$wall_ms" -lt "$best_wall" ]; then best_wall=$wall_ms; fi
  if [ -z "$best_cpu" ] || [ "$cpu_ms" -lt "$best_cpu" ]; then best_cpu=$cpu_ms; fi
done
grep -q 'usage: tenant-isolation' "$WORK/help.txt" || fail "--help printed no usage"
[ "$best_cpu" -lt 500 ] || fail "tenant-isolation --help used ${best_cpu} ms of CPU (best of 3), over 500 ms"
pass "tenant-isolation --help: ${best_wall} ms wall, ${best_cpu} ms CPU (best of 3)"
if [ ! -f "$BLUEPRINT_OUT/manifest.json" ]; then
  echo "  (no blueprint assembly at $BLUEPRINT_OUT: synthesizing one)"
  BLUEPRINT_OUT="$WORK/blueprint.out"
  npx cdk synth --quiet -o "$BLUEPRINT_OUT" > "$WORK/blueprint-synth.log" 2>&1 || { cat "$WORK/blueprint-synth.log" >&2; fail "cdk synth of the blueprint"; }
fi
set +e
(cd "$APP" && npx --no-install tenant-isolation audit "$BLUEPRINT_OUT" --quiet > "$WORK/audit.txt" 2> "$WORK/audit.err")
rc=$?
(cd "$APP" && npx --no-install tenant-isolation audit "$BLUEPRINT_OUT" --quiet --format json > "$WORK/audit.json" 2>> "$WORK/audit.err")
rc_json=$?
set -e
[ "$rc" = 0 ] && [ "$rc_json" = 0 ] || { cat "$WORK/audit.txt" "$WORK/audit.err" >&2; fail "tenant-isolation audit exited $rc (json: $rc_json), expected 0"; }
summary=$(node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const count = (s) => r.findings.filter((f) => f.severity === s).length;
  if (count("error") || count("warning")) { console.error(JSON.stringify(r.findings.filter((f) => f.severity !== "note"), null, 1)); process.exit(1); }
  const s = r.summary;
  if (!(s.stacks > 0 && s.tenantResources > 0 && s.requests > 0)) { console.error("the audit evaluated nothing: " + JSON.stringify(s)); process.exit(1); }
  console.log(`${s.stacks} stacks, ${s.tenantResources} tenant resources, ${s.requests} requests over ${s.tenantIdsEvaluated} tenant ids: 0 errors, 0 warnings, ${count("note")} notes`);
' "$WORK/audit.json") || fail "the JSON report has errors or warnings"
grep -q '0 errors, 0 warnings' "$WORK/audit.txt" || { cat "$WORK/audit.txt" >&2; fail "the text report does not say 0 errors, 0 warnings"; }
pass "tenant-isolation audit $(basename "$BLUEPRINT_OUT"): exit 0; $summary"

echo "-- the runtime where aws-cdk-lib is not installed (npm install --omit=peer)"
RT="$WORK/runtime"
mkdir -p "$RT"
echo '{ "name": "consumer-service", "version": "0.0.0", "private": true, "license": "UNLICENSED" }' > "$RT/package.json"
(cd "$RT" && npm install "${NPM_FLAGS[@]}" --omit=peer "$TARBALL" > "$WORK/install-runtime.log" 2>&1) || { cat "$WORK/install-runtime.log" >&2; fail "npm install --omit=peer"; }
(cd "$RT" && node -e '
  const assert = require("assert");
  for (const m of ["aws-cdk-lib", "constructs", "cdk-nag"]) {
    assert.throws(() => require.resolve(m), { code: "MODULE_NOT_FOUND" }, `${m} is resolvable in the runtime folder`);
  }
  const rt = require("tenant-isolation-blueprint/runtime");
  assert.strictEqual(typeof rt.TenantTokenVerifier, "function", "TenantTokenVerifier");
  assert.strictEqual(typeof rt.cacheKey, "function", "cacheKey");
  const loaded = Object.keys(require.cache).filter((f) => /node_modules\/(aws-cdk-lib|constructs|cdk-nag)\//.test(f));
  assert.deepStrictEqual(loaded, [], "the runtime loaded CDK modules");
  console.log(`  ok: aws-cdk-lib, constructs, cdk-nag not resolvable; require("tenant-isolation-blueprint/runtime") gives TenantTokenVerifier and cacheKey (${Object.keys(rt).length} exports)`);
') || fail "the runtime entry in a folder without aws-cdk-lib"

echo "== consumer test passed in $(node -e "console.log((Number(process.argv[2]) - Number(process.argv[1])).toFixed(1))" "$STARTED" "$(date +%s.%N)") s =="
