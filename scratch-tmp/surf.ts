import { runAudit } from '../lib/audit/audit';
import { loadConfig } from '../lib/audit/config';
import { renderSurface } from '../lib/audit/report/surface';
(async () => {
  const dir = process.argv[2];
  const r = await runAudit(dir, { config: loadConfig(dir, 'tenant-isolation.json') });
  process.stdout.write(renderSurface(r));
})();
