-- Tenant isolation: row-level security bootstrap.
--
-- Reviewed like code, tested like code (test/database/). Idempotent: safe to run any number of
-- times; every run converges the database to this file (CREATE OR REPLACE, IF NOT EXISTS, and
-- ownership/grants re-applied). Applied on every deploy whose SQL changed, by the custom resource
-- in lib/platform/rls-bootstrap/, statement by statement inside ONE transaction: a failing
-- statement rolls the whole run back. Nothing here drops or deletes data.
--
-- Contract for application code (docs/database.md):
--   BEGIN;
--   SELECT isolation.set_tenant('acme');   -- first statement of every request's transaction
--   ... queries ...                        -- see only acme's rows
--   COMMIT;                                -- the tenant ends with the transaction
--
-- Requires PostgreSQL 15+ (views' security_invoker). Runs as a superuser or as a role with
-- CREATEROLE that may grant itself isolation_owner (the Aurora master user).

-- Roles ---------------------------------------------------------------------------------------
-- isolation_owner owns tenant tables and the isolation functions; nobody logs in as it.
-- isolation_app is what application logins are granted: NOLOGIN, NOBYPASSRLS (the default for a
-- new role; only a superuser may change that attribute), owns nothing.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'isolation_owner') THEN
    CREATE ROLE isolation_owner NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'isolation_app') THEN
    CREATE ROLE isolation_app NOLOGIN;
  END IF;
  -- The runner must be a member of isolation_owner to hand objects to it (ALTER ... OWNER TO).
  -- A superuser already is; the Aurora master user (rds_superuser, CREATEROLE) grants itself.
  IF NOT (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user)
     AND NOT pg_catalog.pg_has_role(current_user, 'isolation_owner', 'MEMBER') THEN
    EXECUTE format('GRANT isolation_owner TO %I', current_user);
  END IF;
END
$$;

-- Schema --------------------------------------------------------------------------------------
CREATE SCHEMA IF NOT EXISTS isolation;
ALTER SCHEMA isolation OWNER TO isolation_owner;
REVOKE ALL ON SCHEMA isolation FROM PUBLIC;
-- USAGE only: isolation_app cannot create or replace anything in here.
GRANT USAGE ON SCHEMA isolation TO isolation_app;

-- Seal key ------------------------------------------------------------------------------------
-- A random secret that only isolation_owner can read. set_tenant() seals the tenant setting with
-- it, bound to this backend and this transaction; current_tenant() checks the seal. So a value
-- written any other way (SET, set_config, a session-wide SET leaking through a pooled
-- connection, a seal replayed from an earlier transaction) is refused loudly.
CREATE TABLE IF NOT EXISTS isolation.seal_key (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  secret text NOT NULL
);
ALTER TABLE isolation.seal_key OWNER TO isolation_owner;
REVOKE ALL ON isolation.seal_key FROM PUBLIC;
-- gen_random_uuid() draws from pg_strong_random (PostgreSQL 13+); 2 x 122 random bits.
INSERT INTO isolation.seal_key (secret)
VALUES (pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(
  pg_catalog.gen_random_uuid()::text || pg_catalog.gen_random_uuid()::text, 'UTF8')), 'hex'))
ON CONFLICT (singleton) DO NOTHING;

-- Tenant id rule ------------------------------------------------------------------------------
-- The same rule as lib/tenancy/tenant-id.ts (test/database/tenant-id-sql.test.ts compares them on
-- a table of ids): 3-40 chars, [a-z0-9-], leading letter, no "--", no trailing "-", not reserved.
CREATE OR REPLACE FUNCTION isolation.reserved_tenant_ids()
RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT ARRAY[
    'admin', 'administrator', 'all', 'any', 'aws', 'default', 'everyone', 'global', 'isolation',
    'none', 'null', 'platform', 'postgres', 'public', 'root', 'shared', 'support', 'system',
    'tenant', 'tenants', 'undefined'
  ]::text[]
$$;

-- Returns NULL for a valid tenant id, else "<rule>: <detail>" (rule names as in tenant-id.ts).
CREATE OR REPLACE FUNCTION isolation.tenant_id_problem(candidate text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT CASE
    WHEN candidate IS NULL THEN 'type: expected a string, got null'
    WHEN length(candidate) < 3 OR length(candidate) > 40
      THEN format('length: must be 3 to 40 characters, got %s', length(candidate))
    -- COLLATE "C": ranges by code point, whatever the database's collation.
    WHEN candidate COLLATE "C" ~ '[^a-z0-9-]'
      THEN format('charset: only lowercase letters a-z, digits and hyphens are allowed; found %s',
                  substring(candidate COLLATE "C" from '[^a-z0-9-]'))
    WHEN candidate COLLATE "C" !~ '^[a-z]' THEN 'leading-letter: must start with a lowercase letter'
    WHEN strpos(candidate, '--') > 0 THEN 'double-hyphen: must not contain two consecutive hyphens'
    WHEN right(candidate, 1) = '-' THEN 'trailing-hyphen: must not end with a hyphen'
    WHEN candidate = ANY (isolation.reserved_tenant_ids())
      THEN format('reserved: "%s" is a reserved word', candidate)
  END
$$;

-- Tenant context ------------------------------------------------------------------------------
-- Internal: the seal of `tenant` for this backend and this transaction. Not executable by
-- isolation_app (only the SECURITY DEFINER functions below call it, as isolation_owner).
-- extract(epoch ...) rather than ::text so TimeZone/DateStyle changes cannot alter it.
CREATE OR REPLACE FUNCTION isolation.seal(tenant text)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT encode(sha256(convert_to(
    k.secret || '|' || tenant || '|' || pg_backend_pid()::text || '|'
    || extract(epoch FROM transaction_timestamp())::text || '|' || k.secret, 'UTF8')), 'hex')
  FROM isolation.seal_key k
$$;

-- Tenant claim ------------------------------------------------------------------------------
-- The seal proves WHICH tenant set_tenant() set; it cannot prove that a tenant WAS set, because
-- every setting can be blanked by the application (set_config, SET, SET LOCAL, RESET). The claim
-- is what the application cannot undo: set_tenant() takes a lock on this empty table, and a
-- regular lock is held until the transaction ends. No SQL releases it early (only advisory locks
-- have an unlock; RESET, DISCARD and RELEASE SAVEPOINT leave it; ROLLBACK TO releases only locks
-- taken after that savepoint). PostgreSQL docs, Explicit Locking: "Once acquired, a lock is
-- normally held until the end of the transaction. But if a lock is acquired after establishing a
-- savepoint, the lock is released immediately if the savepoint is rolled back to."
-- isolation_app has no privilege on the table, so it cannot LOCK it; taking a lock on it some
-- other way only makes its own set_tenant() fail (a claim without a tenant fails closed).
-- A lock and pg_locks work on a read replica and in READ ONLY transactions, unlike a write.
CREATE TABLE IF NOT EXISTS isolation.tenant_claim ();
ALTER TABLE isolation.tenant_claim OWNER TO isolation_owner;
REVOKE ALL ON isolation.tenant_claim FROM PUBLIC;

-- Internal: true once this transaction holds the claim (set_tenant() ran in it, or in a savepoint
-- that was not rolled back). Not executable by isolation_app.
CREATE OR REPLACE FUNCTION isolation.transaction_claimed()
RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT EXISTS (
    SELECT 1 FROM pg_locks l
    WHERE l.locktype = 'relation' AND l.relation = 'isolation.tenant_claim'::regclass
      AND l.database = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
      AND l.pid = pg_backend_pid() AND l.granted)
$$;

-- The tenant of this transaction, or NULL when no tenant was set in it. Raises 42501 when the
-- setting holds a value set_tenant() did not seal in this transaction (forged, re-set, replayed),
-- and when set_tenant() ran in this transaction but the setting was blanked since: from the first
-- set_tenant() to COMMIT/ROLLBACK the transaction is that tenant's or it fails. Policies compare
-- with =, so NULL matches no row.
CREATE OR REPLACE FUNCTION isolation.current_tenant()
RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  tenant text := nullif(current_setting('isolation.tenant_id', true), '');
  seal text := nullif(current_setting('isolation.tenant_seal', true), '');
BEGIN
  IF tenant IS NULL THEN
    IF isolation.transaction_claimed() THEN
      RAISE EXCEPTION USING ERRCODE = '42501',
        MESSAGE = 'isolation: the tenant set by isolation.set_tenant() was removed in this transaction; one transaction serves one tenant';
    END IF;
    RETURN NULL;
  END IF;
  IF seal IS NULL OR seal <> isolation.seal(tenant) THEN
    RAISE EXCEPTION USING ERRCODE = '42501',
      MESSAGE = 'isolation: tenant context was not set by isolation.set_tenant() in this transaction';
  END IF;
  RETURN tenant;
END
$$;

-- Sets the tenant for the CURRENT TRANSACTION ONLY (set_config(..., is_local => true)): it ends
-- with COMMIT/ROLLBACK, so a pooled connection cannot carry it to the next request. Refuses an
-- invalid tenant id (SQLSTATE 22023), and (42501, through current_tenant()) any second tenant in
-- the same transaction, also after the setting was blanked or forged. The same tenant again is a
-- no-op. Called outside a transaction block it lasts for its own statement only (fail closed).
CREATE OR REPLACE FUNCTION isolation.set_tenant(tenant text)
RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  problem text := isolation.tenant_id_problem(tenant);
  already text;
BEGIN
  IF problem IS NOT NULL THEN
    RAISE EXCEPTION USING ERRCODE = '22023',
      MESSAGE = format('isolation.set_tenant: invalid tenant id %s: %s',
                       coalesce(quote_literal(tenant), 'NULL'), problem);
  END IF;
  already := isolation.current_tenant();
  IF already IS NOT NULL AND already <> tenant THEN
    RAISE EXCEPTION USING ERRCODE = '42501',
      MESSAGE = format('isolation.set_tenant: this transaction already belongs to tenant %s; '
                       'one transaction serves one tenant', quote_literal(already));
  END IF;
  -- The claim first: from here to the end of the transaction, a blanked setting raises.
  LOCK TABLE isolation.tenant_claim IN ACCESS SHARE MODE;
  PERFORM set_config('isolation.tenant_id', tenant, true);
  PERFORM set_config('isolation.tenant_seal', isolation.seal(tenant), true);
  RETURN tenant;
END
$$;

-- Inference through statistics ----------------------------------------------------------------
-- Every session of the application logs in as the same role, and PostgreSQL shows a session's
-- query text (pg_stat_activity.query, literals included) to any session of the same role, and
-- table-wide counters (pg_stat_user_tables.n_live_tup: every tenant's rows) to everyone. Row
-- level security filters neither. The views call these functions with the caller's rights
-- (functions in a view run as if called directly), so taking EXECUTE away from PUBLIC closes the
-- views too; pg_read_all_stats (and pg_monitor, which holds it) gets it back for monitoring.
-- Own-transaction counters (pg_stat_get_xact_*) stay: they show only this transaction's work.
-- REVOKE needs the functions' owner: a superuser does it; where the runner is not (the Aurora
-- master user is rds_superuser, not superuser) PostgreSQL only warns, and unprotected_tables()
-- keeps reporting the channel open. docs/inference-channels.md lists what stays open.
DO $$
DECLARE
  f regprocedure;
BEGIN
  FOR f IN
    SELECT p.oid::regprocedure FROM pg_catalog.pg_proc p
    WHERE p.pronamespace = 'pg_catalog'::regnamespace
      AND p.proname LIKE 'pg\_stat\_get\_%' AND p.proname NOT LIKE 'pg\_stat\_get\_xact\_%'
    ORDER BY 1
  LOOP
    BEGIN
      EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
      EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO pg_read_all_stats', f);
    EXCEPTION WHEN insufficient_privilege THEN
      -- Not the owner: leave it; unprotected_tables() reports the channel as open.
      RAISE NOTICE 'isolation: could not revoke EXECUTE on % from PUBLIC (%)', f, SQLERRM;
    END;
  END LOOP;
  -- pg_stat_statements (normalized query text of the same role) when the extension is installed.
  FOR f IN
    SELECT p.oid::regprocedure FROM pg_catalog.pg_proc p WHERE p.proname = 'pg_stat_statements'
  LOOP
    BEGIN
      EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
      EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO pg_read_all_stats', f);
    EXCEPTION WHEN insufficient_privilege THEN
      RAISE NOTICE 'isolation: could not revoke EXECUTE on % from PUBLIC (%)', f, SQLERRM;
    END;
  END LOOP;
END
$$;

-- Putting a table under isolation -------------------------------------------------------------
-- For a table with a `tenant_id text` column: owner isolation_owner, RLS enabled AND forced (the
-- owner is filtered too), exactly one policy for all commands (USING and WITH CHECK on the
-- current tenant), tenant_id defaults to the current tenant, and isolation_app gets SELECT,
-- INSERT, UPDATE, DELETE — never TRUNCATE (TRUNCATE ignores row level security). Idempotent.
-- `(SELECT isolation.current_tenant())` is an InitPlan: evaluated once per query, not per row.
CREATE OR REPLACE FUNCTION isolation.protect(target regclass)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF (SELECT relkind FROM pg_class WHERE oid = target) NOT IN ('r', 'p') THEN
    RAISE EXCEPTION USING ERRCODE = '42809',
      MESSAGE = format('isolation.protect(%s): only tables can be protected', target);
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_attribute
                 WHERE attrelid = target AND attname = 'tenant_id' AND NOT attisdropped
                   AND atttypid = 'text'::regtype) THEN
    RAISE EXCEPTION USING ERRCODE = '42703',
      MESSAGE = format('isolation.protect(%s): the table needs a column tenant_id of type text', target);
  END IF;
  -- Foreign-key checks run as the table owner: without USAGE on the schema they would fail.
  IF NOT has_schema_privilege('isolation_owner', (SELECT relnamespace FROM pg_class WHERE oid = target), 'USAGE') THEN
    RAISE EXCEPTION USING ERRCODE = '42501',
      MESSAGE = format('isolation.protect(%s): grant USAGE on schema %I to isolation_owner first (the owner runs foreign-key checks)',
                       target, (SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = target));
  END IF;
  EXECUTE format('ALTER TABLE %s OWNER TO isolation_owner', target);
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', target);
  EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', target);
  EXECUTE format('ALTER TABLE %s ALTER COLUMN tenant_id SET DEFAULT isolation.current_tenant()', target);
  EXECUTE format('DROP POLICY IF EXISTS isolation_tenant ON %s', target);
  EXECUTE format('CREATE POLICY isolation_tenant ON %s AS PERMISSIVE FOR ALL TO PUBLIC '
                 'USING (tenant_id = (SELECT isolation.current_tenant())) '
                 'WITH CHECK (tenant_id = (SELECT isolation.current_tenant()))', target);
  EXECUTE format('REVOKE ALL ON %s FROM PUBLIC, isolation_app', target);
  EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO isolation_app', target);
END
$$;

-- The audit -----------------------------------------------------------------------------------
-- Every construct that would let isolation_app see or change rows across tenants. Empty = good.
CREATE OR REPLACE FUNCTION isolation.unprotected_tables()
RETURNS TABLE (kind text, object text, problem text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
  WITH RECURSIVE
  app AS (SELECT oid FROM pg_roles WHERE rolname = 'isolation_app'),
  -- roles isolation_app can act as (it is a member of them, directly or through other roles)
  app_can_become (roleid) AS (
    SELECT m.roleid FROM pg_auth_members m, app WHERE m.member = app.oid
    UNION SELECT m.roleid FROM pg_auth_members m JOIN app_can_become b ON m.member = b.roleid),
  -- roles (logins) that hold isolation_app, directly or through other roles
  app_holders (member) AS (
    SELECT m.member FROM pg_auth_members m, app WHERE m.roleid = app.oid
    UNION SELECT m.member FROM pg_auth_members m JOIN app_holders h ON m.roleid = h.member),
  tenant_tables AS (
    SELECT c.oid, c.oid::regclass::text AS name, c.relowner, c.relrowsecurity, c.relforcerowsecurity
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p')
      AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
      AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id'
                  AND NOT a.attisdropped)),
  policy_ok AS (
    SELECT p.polrelid FROM pg_policy p
    WHERE p.polname = 'isolation_tenant' AND p.polcmd = '*' AND p.polpermissive
      AND p.polroles = '{0}'::oid[]
      AND regexp_replace(pg_get_expr(p.polqual, p.polrelid), '\s', '', 'g')
          = '(tenant_id=(SELECTisolation.current_tenant()AScurrent_tenant))'
      AND regexp_replace(pg_get_expr(p.polwithcheck, p.polrelid), '\s', '', 'g')
          = '(tenant_id=(SELECTisolation.current_tenant()AScurrent_tenant))'),
  findings (kind, object, problem) AS (
    SELECT 'table', t.name, 'row level security is not enabled'
    FROM tenant_tables t WHERE NOT t.relrowsecurity
    UNION ALL
    SELECT 'table', t.name, 'row level security is not forced (the owner would bypass it)'
    FROM tenant_tables t WHERE NOT t.relforcerowsecurity
    UNION ALL
    SELECT 'table', t.name, 'policy isolation_tenant is missing or altered (want FOR ALL TO PUBLIC, USING and WITH CHECK tenant_id = current tenant)'
    FROM tenant_tables t WHERE t.oid NOT IN (SELECT polrelid FROM policy_ok)
    UNION ALL
    SELECT 'table', t.name, format('extra permissive policy %I widens access', p.polname)
    FROM tenant_tables t JOIN pg_policy p ON p.polrelid = t.oid
    WHERE p.polpermissive AND p.polname <> 'isolation_tenant'
    UNION ALL
    SELECT 'table', t.name, format('owned by %I, a role isolation_app can act as (an owner can disable row level security)', pg_get_userbyid(t.relowner))
    FROM tenant_tables t, app WHERE t.relowner = app.oid OR t.relowner IN (SELECT roleid FROM app_can_become)
    UNION ALL
    SELECT 'table', t.name, format('isolation_app has %s (not filtered by row level security)', priv)
    FROM tenant_tables t, unnest(ARRAY['TRUNCATE', 'REFERENCES', 'TRIGGER']) AS priv
    WHERE has_table_privilege('isolation_app', t.oid, priv)
    UNION ALL
    -- Views and materialized views readable by isolation_app that read a tenant table (or another
    -- view) with their owner's rights. Materialized views have no row level security at all.
    SELECT CASE v.relkind WHEN 'm' THEN 'materialized view' ELSE 'view' END, v.oid::regclass::text,
           CASE v.relkind WHEN 'm' THEN 'materialized view over tenant data is readable by isolation_app (no row level security)'
                ELSE 'view without security_invoker reads tenant data with its owner''s rights' END
    FROM pg_class v JOIN pg_namespace n ON n.oid = v.relnamespace
    WHERE v.relkind IN ('v', 'm')
      AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND has_table_privilege('isolation_app', v.oid, 'SELECT')
      AND (v.relkind = 'm' OR NOT coalesce((SELECT option_value::boolean FROM pg_options_to_table(v.reloptions)
                                           WHERE option_name = 'security_invoker'), false))
      AND EXISTS (SELECT 1 FROM pg_rewrite r JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass
                    AND d.objid = r.oid AND d.refclassid = 'pg_class'::regclass
                  WHERE r.ev_class = v.oid AND d.refobjid <> v.oid
                    AND (d.refobjid IN (SELECT oid FROM tenant_tables)
                         OR (SELECT relkind FROM pg_class WHERE oid = d.refobjid) IN ('v', 'm')))
    UNION ALL
    SELECT 'function', f.oid::regprocedure::text,
           format('SECURITY DEFINER (runs as %I) and executable by isolation_app', pg_get_userbyid(f.proowner))
    FROM pg_proc f JOIN pg_namespace n ON n.oid = f.pronamespace
    WHERE f.prosecdef AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND has_function_privilege('isolation_app', f.oid, 'EXECUTE')
      AND NOT (n.nspname = 'isolation' AND f.proname IN ('set_tenant', 'current_tenant')
               AND pg_get_userbyid(f.proowner) = 'isolation_owner')
    UNION ALL
    SELECT 'role', r.rolname, 'isolation_app is superuser or BYPASSRLS'
    FROM pg_roles r WHERE r.rolname = 'isolation_app' AND (r.rolsuper OR r.rolbypassrls)
    UNION ALL
    SELECT 'role', r.rolname, 'isolation_app is a member of this role, which is superuser or BYPASSRLS'
    FROM pg_roles r WHERE r.oid IN (SELECT roleid FROM app_can_become) AND (r.rolsuper OR r.rolbypassrls)
    UNION ALL
    SELECT 'role', r.rolname, 'isolation_app is a member of this role, which owns tenant tables'
    FROM pg_roles r WHERE r.oid IN (SELECT roleid FROM app_can_become)
      AND EXISTS (SELECT 1 FROM tenant_tables t WHERE t.relowner = r.oid)
    UNION ALL
    SELECT 'role', r.rolname, 'holds isolation_app but is superuser or BYPASSRLS (row level security never applies to it)'
    FROM pg_roles r WHERE r.oid IN (SELECT member FROM app_holders) AND (r.rolsuper OR r.rolbypassrls)
    UNION ALL
    SELECT CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'table' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view'
             WHEN 'S' THEN 'sequence' ELSE 'relation' END,
           c.oid::regclass::text, 'owned by isolation_app (isolation_app must own nothing)'
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, app
    WHERE c.relowner = app.oid AND n.nspname NOT LIKE 'pg_toast%' AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
    UNION ALL
    SELECT 'function', f.oid::regprocedure::text, 'owned by isolation_app (isolation_app must own nothing)'
    FROM pg_proc f, app WHERE f.proowner = app.oid
    UNION ALL
    -- Statistics that row level security does not filter (see "Inference through statistics").
    SELECT 'statistics', f.oid::regprocedure::text,
           format('executable by isolation_app: %s', CASE
             WHEN f.proname IN ('pg_stat_get_activity', 'pg_stat_get_backend_activity', 'pg_stat_statements')
               THEN 'shows the query text of other sessions of the same login (other tenants'' literals)'
             ELSE 'shows table-wide counters (every tenant''s rows)' END)
    FROM pg_proc f
    WHERE f.proname IN ('pg_stat_get_activity', 'pg_stat_get_backend_activity', 'pg_stat_statements',
                        'pg_stat_get_live_tuples', 'pg_stat_get_tuples_inserted', 'pg_stat_get_progress_info')
      AND has_function_privilege('isolation_app', f.oid, 'EXECUTE'))
  SELECT kind, object, problem FROM findings ORDER BY kind, object, problem
$$;

-- Ownership and execute rights of the isolation functions, re-applied on every run. CREATE
-- FUNCTION grants EXECUTE to PUBLIC by default: take it back, then grant exactly what is needed.
ALTER FUNCTION isolation.reserved_tenant_ids() OWNER TO isolation_owner;
ALTER FUNCTION isolation.tenant_id_problem(text) OWNER TO isolation_owner;
ALTER FUNCTION isolation.seal(text) OWNER TO isolation_owner;
ALTER FUNCTION isolation.transaction_claimed() OWNER TO isolation_owner;
ALTER FUNCTION isolation.set_tenant(text) OWNER TO isolation_owner;
ALTER FUNCTION isolation.current_tenant() OWNER TO isolation_owner;
ALTER FUNCTION isolation.protect(regclass) OWNER TO isolation_owner;
ALTER FUNCTION isolation.unprotected_tables() OWNER TO isolation_owner;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA isolation FROM PUBLIC;
GRANT EXECUTE ON FUNCTION isolation.set_tenant(text), isolation.current_tenant(),
  isolation.tenant_id_problem(text), isolation.reserved_tenant_ids() TO isolation_app;
GRANT EXECUTE ON FUNCTION isolation.protect(regclass), isolation.unprotected_tables() TO isolation_owner;
