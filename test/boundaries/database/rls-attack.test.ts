/**
 * Row level security attack suite on both real engines: PGlite (embedded, always) and a real
 * PostgreSQL server (Debian's server binaries; skipped loudly on a laptop without them, an error
 * under CI=true). The cases are in rls-suite.ts; the engines in rls-engines.ts.
 */
import { describeWithEngine } from '../../helpers/engines';
import { POSTGRES_SERVER_HINT, postgresBinDir } from '../../helpers/postgres-server';
import { startPglite, startPostgres } from './rls-engines';
import { rlsSuite } from './rls-suite';

describe('[pglite]', () => rlsSuite(startPglite, { realLogin: false }));

describeWithEngine('postgresql', postgresBinDir() !== undefined, POSTGRES_SERVER_HINT, () => rlsSuite(startPostgres, { realLogin: true }));
