#!/usr/bin/env bash
# Runs tests/Crm.Benchmarks in Release against a throwaway PostgreSQL cluster started from the installed
# binaries (or against CRM_BENCH_POSTGRES, a server connection string, when set) and writes
# docs/benchmarks.md and docs/benchmarks.json. Flags pass through: --customers 1000000, --rounds, --seconds,
# --concurrency, --users, --seed, --smoke, --output DIR, --only IDS [--update] (measure some scenarios again and
# replace their results in the report). See docs/benchmarks.md, "Running it".
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
source eng/pg.sh

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

work=$(mktemp -d /tmp/crm-bench.XXXXXX)
cleanup() {
  [ -n "${started_pg:-}" ] && pg_stop "$work/pg"
  rm -rf "$work"
}
trap cleanup EXIT

if [ -z "${CRM_BENCH_POSTGRES:-}" ]; then
  port=$(pg_free_port 56432)
  echo "Starting throwaway PostgreSQL on 127.0.0.1:$port"
  # Durability off as in eng/test.sh: the data is thrown away, and seeding 1,000,000 rows should not wait on fsync.
  pg_start "$work/pg" "$port" fsync=off synchronous_commit=off full_page_writes=off max_connections=200 \
    shared_buffers=512MB maintenance_work_mem=512MB
  started_pg=1
  server="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
else
  server=$CRM_BENCH_POSTGRES
fi
db_port=$(echo "$server" | sed -n 's/.*Port=\([0-9]*\).*/\1/p')
psql -h 127.0.0.1 -p "${db_port:-5432}" -U postgres -d postgres -q -c "DROP DATABASE IF EXISTS crm_bench WITH (FORCE)"
pg_create_database "${db_port:-5432}" crm_bench

dotnet build tests/Crm.Benchmarks -c Release -nologo -v quiet -clp:ErrorsOnly
dotnet tests/Crm.Benchmarks/bin/Release/net10.0/Crm.Benchmarks.dll \
  --connection "${server/Database=postgres/Database=crm_bench}" --output "$root/docs" "$@"
