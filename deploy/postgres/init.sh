#!/bin/sh
# First start of the compose PostgreSQL (docker-entrypoint-initdb.d): the roles and
# databases Guildmart and Kratos need. The same shape as pgcluster.BootstrapRoles:
#   guildmart      owns the tables and runs migrations (MIGRATION_DATABASE_URL)
#   guildmart_app  what gateways and workers connect as (DATABASE_URL): owns nothing and
#                  has no BYPASSRLS, so row-level security binds it; `guildmart serve`
#                  refuses to start as the owner or a superuser.
#   kratos         Ory Kratos's own database
# Passwords come from the compose file's environment (defaults are for a laptop only).
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v owner_pw="$GUILDMART_OWNER_PASSWORD" -v app_pw="$GUILDMART_APP_PASSWORD" -v kratos_pw="$KRATOS_DB_PASSWORD" <<'SQL'
CREATE ROLE guildmart LOGIN PASSWORD :'owner_pw';
CREATE ROLE guildmart_app LOGIN NOBYPASSRLS PASSWORD :'app_pw';
CREATE DATABASE guildmart OWNER guildmart;
REVOKE ALL ON DATABASE guildmart FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE guildmart TO guildmart_app;
CREATE ROLE kratos LOGIN PASSWORD :'kratos_pw';
CREATE DATABASE kratos OWNER kratos;
SQL
