import { runAudit } from '/work/wt/surface/lib/audit/audit';
import { loadConfig } from '/work/wt/surface/lib/audit/config';
import { isTenantFacing } from '/work/wt/surface/lib/audit/tenant-model';
(async () => {
  const dir = process.argv[2];
  const r = await runAudit(dir, { config: loadConfig(dir, '/work/wt/surface/tenant-isolation.json') });
  const facing = r.inventory.principals.filter(isTenantFacing);
  for (const p of facing) {
    console.log('==', p.name, p.arn, p.source.constructPath, 'owner', p.owner, 'abac', p.abac, 'session', !!p.sessionPolicy);
    for (const st of p.identity) console.log('  ', JSON.stringify({e: st.effect, a: st.actions, na: st.notActions, r: st.resources, nr: st.notResources, c: st.conditions, src: st.source?.constructPath}));
    if (p.boundary) console.log('  boundary', p.boundary.length);
  }
  console.log('== resources');
  for (const x of r.inventory.resources) console.log(x.type, x.arn, x.source.constructPath, x.classification, x.owner, x.partition?.template, 'policy', x.policy.length);
  console.log('findings', r.findings.filter(f=>f.severity!=='note').length);
})();
