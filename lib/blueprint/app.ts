/**
 * Builds the blueprint app from a registry: one PlatformStack and one TenantStack per tenant.
 * bin/app.ts calls this with the committed registry; tests call it with their own.
 */
import { App } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as path from 'path';
import { DEFAULT_REGISTRY_FILE, deployedTenants, loadRegistry, Registry } from '../core/registry';
import { PlatformStack } from './platform-stack';
import { TenantStack } from './tenant-stack';
import { DEFAULT_QUALIFIER, names, validateQualifier } from './names';

export interface BlueprintOptions {
  readonly registry: Registry;
  /** @default 'tib' */
  readonly qualifier?: string;
  /** ARN of the application role that assumes TenantAccessRole. @default a placeholder broker role */
  readonly brokerRoleArn?: string;
  /** IAM user/role ARNs of support engineers. @default placeholder users */
  readonly supportPrincipalArns?: readonly string[];
  /** IAM user/role ARNs allowed to request break-glass sessions. @default a placeholder user */
  readonly breakGlassRequesterArns?: readonly string[];
  /** IAM user/role ARNs that approve break-glass sessions. @default a placeholder user */
  readonly breakGlassApproverArns?: readonly string[];
  /** Parent domain of the tenants' sending domains (`<id>.<mailDomain>`, docs/email.md). @default 'mail.example.com' */
  readonly mailDomain?: string;
}

export interface Blueprint {
  readonly platform: PlatformStack;
  readonly tenants: readonly TenantStack[];
}

export function buildBlueprint(app: App, options: BlueprintOptions): Blueprint {
  const qualifier = validateQualifier(options.qualifier ?? DEFAULT_QUALIFIER);
  const broker = options.brokerRoleArn ? new iam.ArnPrincipal(options.brokerRoleArn) : undefined;
  const platform = new PlatformStack(app, 'Platform', {
    stackName: names.platformStack(qualifier),
    description: 'Tenant isolation blueprint: shared platform and TenantAccessRole',
    qualifier,
    tenants: options.registry.tenants,
    broker,
    mailDomain: options.mailDomain,
    support: {
      principalArns: options.supportPrincipalArns,
      breakGlassRequesterArns: options.breakGlassRequesterArns,
      breakGlassApproverArns: options.breakGlassApproverArns,
    },
  });
  // Purged tenants have no stack: CloudFormation deletes it (retained resources stay, see purge).
  const tenants = deployedTenants(options.registry).map((tenant) => {
    const stack = new TenantStack(app, `Tenant-${tenant.id.value}`, {
      stackName: names.tenantStack(qualifier, tenant.id),
      description: `Tenant isolation blueprint: tenant ${tenant.id.value} (${tenant.tier})`,
      qualifier,
      tenant,
      mailDomain: options.mailDomain,
    });
    stack.addStackDependency(platform, 'tenant resources name the platform roles');
    return stack;
  });
  return { platform, tenants };
}

/** A comma-separated context value as a list (`-c supportPrincipalArns=arn1,arn2`). */
function listContext(app: App, key: string): string[] | undefined {
  const v = app.node.tryGetContext(key);
  if (v === undefined) return undefined;
  const list = (Array.isArray(v) ? v.map(String) : String(v).split(',')).map((x) => x.trim()).filter((x) => x.length > 0);
  return list.length > 0 ? list : undefined;
}

/**
 * Reads `-c registry`, `-c qualifier`, `-c brokerRoleArn`, `-c supportPrincipalArns`,
 * `-c breakGlassRequesterArns`, `-c breakGlassApproverArns`, `-c mailDomain` from the app context.
 */
export function buildBlueprintFromContext(app: App, repoRoot: string): Blueprint {
  const registryFile = path.resolve(repoRoot, String(app.node.tryGetContext('registry') ?? DEFAULT_REGISTRY_FILE));
  return buildBlueprint(app, {
    registry: loadRegistry(registryFile),
    qualifier: app.node.tryGetContext('qualifier'),
    brokerRoleArn: app.node.tryGetContext('brokerRoleArn'),
    supportPrincipalArns: listContext(app, 'supportPrincipalArns'),
    breakGlassRequesterArns: listContext(app, 'breakGlassRequesterArns'),
    breakGlassApproverArns: listContext(app, 'breakGlassApproverArns'),
    mailDomain: app.node.tryGetContext('mailDomain'),
  });
}
