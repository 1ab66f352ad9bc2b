import { runAudit } from '../lib/audit/audit';
import { loadConfig } from '../lib/audit/config';
(async () => {
  const dir = process.argv[2];
  const r = await runAudit(dir, { config: loadConfig(dir, 'tenant-isolation.json') });
  for (const x of r.inventory.stores) {
    if (!x.policy.length) continue;
    console.log('==', x.type, x.source.constructPath, x.classification, x.owner, 'key', x.keyArn);
    for (const st of x.policy) console.log('  ', JSON.stringify({e: st.effect, p: st.principals, np: st.notPrincipals, a: st.actions, na: st.notActions, r: st.resources, nr: st.notResources, c: st.conditions, src: st.source?.logicalId}).slice(0,600));
  }
})();
