#!/usr/bin/env bash
# Runs the API on http://127.0.0.1:5080 with a local database and demo data.
# Uses CRM_CONNECTION_STRING when set; otherwise starts (once initialised, reuses) a PostgreSQL cluster
# under .local/pg from the installed binaries. Migrations are applied and demo data seeded on start.
# Ctrl-C stops the API and the database.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
source eng/pg.sh

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
url=${CRM_URL:-http://127.0.0.1:5080}
data="$root/.local/pg"

if [ -n "${CRM_CONNECTION_STRING:-}" ]; then
  connection=$CRM_CONNECTION_STRING
else
  port=${CRM_PG_PORT:-$(pg_free_port 55433)}
  echo "Starting PostgreSQL (data in .local/pg) on 127.0.0.1:$port"
  pg_start "$data" "$port"
  started_pg=1
  pg_create_database "$port" crm
  connection="Host=127.0.0.1;Port=$port;Database=crm;Username=postgres"
fi

api_pid=
stop() {
  trap - INT TERM EXIT
  if [ -n "$api_pid" ] && kill -0 "$api_pid" 2>/dev/null; then
    kill -TERM "$api_pid" 2>/dev/null || true
    wait "$api_pid" 2>/dev/null || true
  fi
  if [ -n "${started_pg:-}" ]; then
    echo "Stopping PostgreSQL"
    pg_stop "$data"
  fi
}
trap stop INT TERM EXIT

dotnet build src/Crm.Api/Crm.Api.csproj -c Debug -nologo -v quiet -clp:ErrorsOnly
echo "API on $url  (Swagger UI: $url/swagger, readiness: $url/health/ready). Ctrl-C stops."
(
  cd src/Crm.Api
  ASPNETCORE_ENVIRONMENT=${ASPNETCORE_ENVIRONMENT:-Development} \
  ConnectionStrings__Crm="$connection" \
  Database__MigrateOnStartup=true \
  Demo__Seed=true \
    exec dotnet bin/Debug/net10.0/Crm.Api.dll --urls "$url"
) &
api_pid=$!
wait "$api_pid" || true
