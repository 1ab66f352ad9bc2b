/**
 * A dedicated items table for a silo tenant, in its TenantStack, with its own customer key.
 *
 * Same key layout as the pooled table (`<id>` / `<id>#...` partition keys, the same indexes), so
 * the application's TenantTable helper does not care about the tier. Name:
 * `<q>-tenant-<id>-items` (siloItemsTableName), exact: the platform's TenantAccessRole names
 * `<q>-tenant-${aws:PrincipalTag/TenantId}-items` with no wildcard in the table name, so one
 * policy serves every silo tenant (flat in the number of tenants) and a session reaches only the
 * table whose name carries its own tag (a name pattern `<q>-tenant-${tag}-*` would also match
 * `<q>-tenant-acme-corp-items` for `acme`). The key policy lets TenantAccessRole use the key
 * through DynamoDB only for sessions tagged with this tenant, and not at all once the tenant is
 * retired (its data is retained, its access removed).
 */
import { Aws, Tags } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { TENANT_ITEM_ACTIONS, TENANT_TABLE_KMS_ACTIONS } from '../../core/dynamodb-actions';
import { siloItemsTableName } from '../../core/dynamodb-keys';
import { PRINCIPAL_TENANT, TENANT_TAG_KEY } from '../../core/namespace';
import { acknowledgeFinding, iam5ResourceFinding } from '../../nag/acknowledge';
import { createItemsTable, tableArnFor, TenantIndexProps } from './pooled-table';
import { TenantIdInput, tenantIdProp } from '../validation';

export interface TenantSiloTableProps {
  /** The silo tenant (TenantId rules). */
  readonly tenant: TenantIdInput;
  /** The blueprint qualifier (part of the table name). */
  readonly qualifier: string;
  /** ARN of TenantAccessRole (by name: no cross-stack export). */
  readonly tenantAccessRoleArn: string;
  /** @default 'pk' */
  readonly partitionKeyName?: string;
  /** @default 'sk' */
  readonly sortKeyName?: string;
  /** The pooled table's indexes, so the helper works on both tiers. @default none */
  readonly globalSecondaryIndexes?: readonly TenantIndexProps[];
  /**
   * Whether the tenant's sessions may use the table key (false for a retired tenant).
   * @default true
   */
  readonly accessEnabled?: boolean;
}

export class TenantSiloTable extends Construct {
  /**
   * TenantAccessRole's one statement for every silo table: item actions on exactly
   * `<q>-tenant-${aws:PrincipalTag/TenantId}-items` and its indexes. Added in the platform.
   */
  public static grantOwnSiloTable(grantee: iam.IGrantable, qualifier: string): iam.Grant {
    const arn = tableArnFor(siloItemsTableName(qualifier, PRINCIPAL_TENANT));
    const grant = iam.Grant.addToPrincipal({
      grantee,
      actions: [...TENANT_ITEM_ACTIONS],
      resourceArns: [arn, `${arn}/index/*`],
    });
    grant.assertSuccess();
    grant.principalStatements.forEach((st) => (st.sid = 'OwnSiloItemsTable'));
    const principal = grantee.grantPrincipal;
    const policy = principal instanceof iam.Role ? principal.node.tryFindChild('DefaultPolicy') : undefined;
    if (policy) {
      acknowledgeFinding(
        (policy as iam.Policy).node.defaultChild!,
        iam5ResourceFinding(policy, `${arn}/index/*`),
        "The index wildcard is below the session's own silo table <q>-tenant-${aws:PrincipalTag/TenantId}-items (exact name, ABAC on the TenantId session tag).",
      );
    }
    return grant;
  }

  public readonly table: dynamodb.Table;
  public readonly key: kms.Key;
  public readonly tableName: string;

  constructor(scope: Construct, id: string, props: TenantSiloTableProps) {
    super(scope, id);
    const tenant = tenantIdProp(this, 'tenant', props.tenant);
    this.tableName = siloItemsTableName(props.qualifier, tenant);
    const { table, key } = createItemsTable(
      this,
      {
        tableName: this.tableName,
        partitionKeyName: props.partitionKeyName,
        sortKeyName: props.sortKeyName,
        globalSecondaryIndexes: props.globalSecondaryIndexes,
      },
      'Silo items table of one tenant (DynamoDB table encryption)',
    );
    this.table = table;
    this.key = key;
    Tags.of(this).add(TENANT_TAG_KEY, tenant.value);

    if (props.accessEnabled ?? true) {
      this.key.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'TenantSessionsUseKeyViaDynamoDB',
          principals: [new iam.ArnPrincipal(props.tenantAccessRoleArn)],
          actions: [...TENANT_TABLE_KMS_ACTIONS],
          resources: ['*'],
          conditions: {
            StringEquals: {
              [`aws:PrincipalTag/${TENANT_TAG_KEY}`]: tenant.value,
              'kms:ViaService': `dynamodb.${Aws.REGION}.amazonaws.com`,
              'kms:EncryptionContext:aws:dynamodb:tableName': this.tableName,
            },
          },
        }),
      );
    }
  }
}
