/**
 * The database master path. The master user bypasses row-level security (PostgreSQL docs,
 * ddl-rowsecurity: superusers and roles with BYPASSRLS are not subject to it), so whoever can
 * act as it reaches every tenant of the database, whatever the cluster is tagged or
 * classified as — an untagged pool cluster included. Three ways in:
 * - reading the master secret (reach.ts: secretsmanager:GetSecretValue);
 * - the Data API with the master secret's ARN: rds-data:ExecuteStatement (or any rds-data
 *   action) on the cluster plus secretsmanager:GetSecretValue on the secret (RDS Data API
 *   docs, data-api.access: "the caller needs access to the secret");
 * - IAM database authentication as the master user: rds-db:connect on
 *   `arn:aws:rds-db:<region>:<account>:dbuser:<resource id>/<master user>` (RDS User Guide,
 *   UsingWithRDS.IAMDBAuth.IAMPolicy). The resource id is not in the templates, so the probe
 *   names it `audit-probe`: any grant that spells a resource id literally is not matched, one
 *   with a wildcard there is.
 */
import { evaluate } from '../engine/builtin-engine';
import { IdGrammar } from '../id-grammar';
import { Inventory, Principal, TenantResource } from '../inventory';
import { Statement } from '../policy-model';
import { isTenantFacing, probeRequest, sessionPolicyFor } from '../tenant-model';

export interface MasterPathReach {
  readonly principal: Principal;
  readonly database: TenantResource;
  readonly secret?: TenantResource;
  readonly action: string;
  readonly resource: string;
  readonly allowedBy: readonly Statement[];
  /** One line: how the master user is reached. */
  readonly via: string;
}

const lastSegment = (arn: string) => arn.split(/[:/]/).pop() ?? arn;

function allowed(p: Principal, r: TenantResource, action: string, resource: string, actingAs: string | null): readonly Statement[] | undefined {
  const session = actingAs !== null ? sessionPolicyFor(p, actingAs) : undefined;
  const res = evaluate(probeRequest(p, actingAs, action, resource), {
    identity: p.identity,
    ...(p.boundary ? { boundary: p.boundary } : {}),
    ...(session ? { session } : {}),
    resource: r.policy,
  });
  return res.decision === 'Allowed' ? res.allowedBy : undefined;
}

/** Data API and IAM-auth paths to the master user of every cluster / instance in the inventory. */
export function databaseMasterReach(inv: Inventory, grammar: IdGrammar): MasterPathReach[] {
  const out: MasterPathReach[] = [];
  const databases = inv.stores.filter((r) => r.type === 'AWS::RDS::DBCluster' || r.type === 'AWS::RDS::DBInstance');
  const secrets = inv.stores.filter((r) => r.masterSecretOf);
  for (const db of databases) {
    const name = lastSegment(db.arn);
    const secret = secrets.find((s) => s.masterSecretOf === name || s.masterSecretOf === db.arn || s.masterSecretOf === db.source.logicalId);
    const [, , , region, account] = db.arn.split(':');
    const master = db.masterUser ?? 'audit-master';
    const dbuser = `arn:aws:rds-db:${region}:${account}:dbuser:audit-probe/${master}`;
    for (const p of inv.principals) {
      const acting = isTenantFacing(p) ? (p.owner ?? grammar.base) : null;
      if (p.sessionPolicy && acting === null) continue;
      if (db.type === 'AWS::RDS::DBCluster' && secret) {
        const data = allowed(p, db, 'rds-data:ExecuteStatement', db.arn, acting);
        const read = data && allowed(p, secret, 'secretsmanager:GetSecretValue', secret.arn, acting);
        if (data && read) {
          out.push({
            principal: p,
            database: db,
            secret,
            action: 'rds-data:ExecuteStatement',
            resource: db.arn,
            allowedBy: data,
            via: `may run statements on ${db.source.logicalId} through the Data API with its master secret ${secret.source.logicalId}`,
          });
        }
      }
      const connect = allowed(p, db, 'rds-db:connect', dbuser, acting);
      if (connect) {
        out.push({
          principal: p,
          database: db,
          action: 'rds-db:connect',
          resource: dbuser,
          allowedBy: connect,
          via: `may connect to ${db.source.logicalId} as its master user ${master} with IAM database authentication`,
        });
      }
    }
  }
  return out;
}
