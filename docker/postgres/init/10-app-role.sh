#!/usr/bin/env bash
# Create the role the application connects as (DATABASE_APP_ROLE, default
# seniorene_app). It owns no tables and cannot bypass row-level security, so the
# tenant policies apply to every query it makes; migrations run as the owner
# (POSTGRES_USER). The migrations grant it SELECT/INSERT/UPDATE/DELETE on the
# tables and sequences they create.
#
# The postgres image runs this once, when it initialises an empty data volume.
# To change the password later:
#   docker compose exec postgres psql -U seniorene -d seniorene \
#     -c "ALTER ROLE seniorene_app PASSWORD '...'"
set -euo pipefail

app_role="${DATABASE_APP_ROLE:-seniorene_app}"
db="${POSTGRES_DB:-${POSTGRES_USER}}"

if [[ ! "$app_role" =~ ^[a-z_][a-z0-9_]{0,62}$ ]]; then
    echo "10-app-role.sh: DATABASE_APP_ROLE must be a lower-case SQL identifier" >&2
    exit 1
fi
if [[ -z "${APP_DB_PASSWORD:-}" ]]; then
    echo "10-app-role.sh: APP_DB_PASSWORD is not set" >&2
    exit 1
fi

# psql variables (:'pw' quotes a literal, :"name" an identifier) keep the
# password out of the SQL text and safe whatever characters it holds.
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$db" \
    -v app_role="$app_role" -v pw="$APP_DB_PASSWORD" -v db="$db" <<'SQL'
SELECT format('CREATE ROLE %I', :'app_role')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'app_role')
\gexec
-- Also when the role already existed (a migration may have made it NOLOGIN).
SELECT format(
    'ALTER ROLE %I LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD %L',
    :'app_role', :'pw')
\gexec
GRANT CONNECT ON DATABASE :"db" TO :"app_role";
GRANT USAGE ON SCHEMA public TO :"app_role";
SQL

echo "10-app-role.sh: role $app_role ready in database $db"
