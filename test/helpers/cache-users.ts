/**
 * Test support: the ElastiCache users and user groups exactly as the CDK app synthesized them,
 * read from the cloud assembly's template files (platform and nested cell templates) — not
 * from a second copy of the access-string builder.
 */
import * as fs from 'fs';
import * as path from 'path';
import { buildBlueprint } from '../../lib/blueprint/app';
import { Registry } from '../../lib/core/registry';
import { newTestApp } from './app';

export interface SynthesizedCacheUser {
  readonly template: string;
  readonly userId: string;
  readonly userName: string;
  readonly accessString: string;
  readonly authenticationType: string;
  /** Value of the TenantId tag, when tagged. */
  readonly tenantTag?: string;
}

export interface SynthesizedUserGroup {
  readonly template: string;
  readonly userGroupId: string;
  readonly userIds: readonly string[];
}

export interface SynthesizedCache {
  readonly users: readonly SynthesizedCacheUser[];
  readonly groups: readonly SynthesizedUserGroup[];
  /** Template file name -> parsed template. */
  readonly templates: Record<string, { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> }>;
}

export function synthesizeCache(registry: Registry, context: Record<string, unknown> = {}): SynthesizedCache {
  const app = newTestApp({ context });
  buildBlueprint(app, { registry });
  const dir = app.synth().directory;
  const users: SynthesizedCacheUser[] = [];
  const groups: SynthesizedUserGroup[] = [];
  const templates: SynthesizedCache['templates'] = {};
  for (const file of fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.template.json'))
    .sort()) {
    const template = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    templates[file] = template;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed template JSON; the fields read are checked below
    for (const res of Object.values(template.Resources ?? {}) as Array<{ Type: string; Properties: any }>) {
      if (res.Type === 'AWS::ElastiCache::User') {
        const p = res.Properties;
        for (const [k, v] of Object.entries({ UserId: p.UserId, UserName: p.UserName, AccessString: p.AccessString })) {
          if (typeof v !== 'string') throw new Error(`${file}: ${k} of a cache user is not a literal string: ${JSON.stringify(v)}`);
        }
        users.push({
          template: file,
          userId: p.UserId,
          userName: p.UserName,
          accessString: p.AccessString,
          authenticationType: p.AuthenticationMode?.Type,
          tenantTag: (p.Tags as Array<{ Key: string; Value: string }> | undefined)?.find((t) => t.Key === 'TenantId')?.Value,
        });
      }
      if (res.Type === 'AWS::ElastiCache::UserGroup') {
        groups.push({ template: file, userGroupId: res.Properties.UserGroupId, userIds: res.Properties.UserIds });
      }
    }
  }
  return { users, groups, templates };
}
