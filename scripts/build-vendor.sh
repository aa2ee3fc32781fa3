#!/usr/bin/env bash
# Rebuild the vendored front-end files from the npm registry.
#
#   app/static/vendor/htmx.min.js   + htmx.LICENSE   (htmx.org, 0BSD)
#   app/static/vendor/yjs.mjs       + yjs.LICENSE    (yjs + lib0, MIT; esbuild bundle)
#   tests/vendor/axe.min.js         + axe.LICENSE    (axe-core, MPL-2.0)
#
# Needs node + npm and the npm registry. Works in a throwaway temp dir, never
# touches node_modules in the repo, and overwrites the outputs, so it is safe to
# re-run (same pins -> byte-identical files). Not run by CI: the app runs from the
# committed files with no npm. When bumping a pin, update VERSIONS.md too.
set -euo pipefail

HTMX_VERSION=2.0.11      # stay on 2.0.x: npm's `latest` tag is htmx 4 (different API)
YJS_VERSION=13.6.33
LIB0_VERSION=0.2.120     # transitive dep of yjs, pinned so the bundle is reproducible
AXE_VERSION=4.14.1
ESBUILD_VERSION=0.28.2

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATIC_VENDOR="$REPO/app/static/vendor"
TEST_VENDOR="$REPO/tests/vendor"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/atelier-vendor.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

printf '{ "name": "atelier-vendor-build", "private": true }\n' > package.json
npm install --save-exact --no-audit --no-fund --loglevel=error \
  "htmx.org@$HTMX_VERSION" "yjs@$YJS_VERSION" "lib0@$LIB0_VERSION" \
  "axe-core@$AXE_VERSION" "esbuild@$ESBUILD_VERSION"

# The yjs entry point: only what app/static/js needs. Keep in sync with VERSIONS.md.
cat > entry.js <<'ENTRY'
export { Doc, Text, applyUpdate, encodeStateAsUpdate, encodeStateVector, createRelativePositionFromTypeIndex, createAbsolutePositionFromRelativePosition, mergeUpdates } from 'yjs'
ENTRY
npx --no-install esbuild entry.js --bundle --format=esm --minify --target=es2019 --outfile=yjs.mjs

mkdir -p "$STATIC_VENDOR" "$TEST_VENDOR"

cp node_modules/htmx.org/dist/htmx.min.js "$STATIC_VENDOR/htmx.min.js"
cp node_modules/htmx.org/LICENSE "$STATIC_VENDOR/htmx.LICENSE"

cp yjs.mjs "$STATIC_VENDOR/yjs.mjs"
{
  echo "yjs.mjs bundles yjs $YJS_VERSION and lib0 $LIB0_VERSION (both MIT)."
  echo
  echo "==== yjs $YJS_VERSION ===="
  cat node_modules/yjs/LICENSE
  echo
  echo "==== lib0 $LIB0_VERSION ===="
  cat node_modules/lib0/LICENSE
} > "$STATIC_VENDOR/yjs.LICENSE"

cp node_modules/axe-core/axe.min.js "$TEST_VENDOR/axe.min.js"
{
  cat node_modules/axe-core/LICENSE
  echo
  echo "==== LICENSE-3RD-PARTY.txt (code bundled in axe.min.js) ===="
  cat node_modules/axe-core/LICENSE-3RD-PARTY.txt
} > "$TEST_VENDOR/axe.LICENSE"

cd "$REPO"
sha256sum app/static/vendor/htmx.min.js app/static/vendor/yjs.mjs tests/vendor/axe.min.js
