/**
 * withTenantTransaction and the GET /exports/:id reference handler on both real engines with the
 * project's RLS bootstrap: PGlite (always) and a real PostgreSQL server (skipped loudly on a
 * laptop without it, an error under CI=true). Cases in tenant-database-suite.ts.
 */
import { describeWithEngine } from '../../../helpers/engines';
import { POSTGRES_SERVER_HINT, postgresBinDir } from '../../../helpers/postgres-server';
import { startPgliteDb, startPostgresDb } from './runtime-db';
import { tenantDatabaseSuite } from './tenant-database-suite';

describe('[pglite]', () => tenantDatabaseSuite(startPgliteDb));

describeWithEngine('postgresql', postgresBinDir() !== undefined, POSTGRES_SERVER_HINT, () => tenantDatabaseSuite(startPostgresDb));
