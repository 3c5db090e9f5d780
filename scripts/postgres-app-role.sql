-- The rights of the portal's own database role, portal_app: it reads and writes rows and owns nothing, so it
-- cannot ALTER, DROP or TRUNCATE a table, nor drop or disable a trigger (the audit trail's among them).
--
-- Run it as the role that owns the tables, the one migrations run as, once the role exists and after the
-- first `flask db upgrade` (see README, Production):
--
--     psql "postgresql://portal_owner@db.example/portal" -v ON_ERROR_STOP=1 -f scripts/postgres-app-role.sql
--
-- The default privileges below give the same rights on tables and sequences that later migrations create, so
-- it need not be run again after an upgrade. The test suite runs this file for its own role (tests/conftest.py).

GRANT USAGE ON SCHEMA public TO portal_app;

GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO portal_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO portal_app;

ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO portal_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO portal_app;
