#!/usr/bin/env bash
# Builds the solution and runs every test project against a throwaway PostgreSQL cluster started from
# the installed binaries (or against CRM_TEST_POSTGRES when set, or Testcontainers when Docker runs and
# no PostgreSQL binaries are installed). Exit code is the test result; the last line is "N passed, N failed".
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
source eng/pg.sh

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

work=$(mktemp -d /tmp/crm-test.XXXXXX)
results="$work/results"
cleanup() {
  [ -n "${started_pg:-}" ] && pg_stop "$work/pg"
  rm -rf "$work"
}
trap cleanup EXIT

if [ -z "${CRM_TEST_POSTGRES:-}" ] && pg_bin_dir >/dev/null 2>&1; then
  port=$(pg_free_port 55432)
  echo "Starting throwaway PostgreSQL on 127.0.0.1:$port"
  pg_start "$work/pg" "$port" fsync=off synchronous_commit=off full_page_writes=off max_connections=200
  started_pg=1
  export CRM_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
fi

dotnet build Crm.sln -c Release -nologo -v quiet -clp:ErrorsOnly

set +e
dotnet test Crm.sln -c Release --no-build -nologo \
  --results-directory "$results" --logger "trx" --logger "console;verbosity=minimal" "$@"
status=$?
set -e

passed=0 failed=0 skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(echo "$counters" | sed -n 's/.* passed="\([0-9]*\)".*/\1/p')
  f=$(echo "$counters" | sed -n 's/.* failed="\([0-9]*\)".*/\1/p')
  n=$(echo "$counters" | sed -n 's/.* notExecuted="\([0-9]*\)".*/\1/p')
  passed=$((passed + ${p:-0})) failed=$((failed + ${f:-0})) skipped=$((skipped + ${n:-0}))
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1  # the run failed before reporting (build or host crash): never report green
fi
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
