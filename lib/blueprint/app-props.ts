/**
 * The `App` options of the blueprint's own app (bin/app.ts). Two of aws-cdk-lib's defaults
 * cost synth time and memory in proportion to the number of tenants and check nothing:
 *
 * - Creation stack traces. By default every CloudFormation element records the call stack that
 *   created it (`aws:cdk:creationStack` metadata, through the source maps of the TypeScript
 *   sources). At 1,000 tenants that is the largest single cost of building the constructs. Off
 *   here; `cdk synth --debug` records them again (aws-cdk-lib records them whenever CDK_DEBUG is
 *   set, which `--debug` does), for a validation finding you want traced to a line.
 * - tree.json. A dump of the whole construct tree with every resource's resolved properties
 *   (31 MB at 1,000 tenants), resolved once more for that file and read back by the CDK CLI
 *   after every synth. Nothing in a deploy, a nag pack, the validator or the audit reads it; the
 *   CLI uses it only to match construct-level notices. `-c treeMetadata=true` writes it.
 *
 * Everything else is aws-cdk-lib's default: every template still gets both nag packs and the
 * CloudFormation validator (docs/lifecycle.md, "Where synth time goes").
 */
import { AppProps } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import * as fs from 'fs';

/** The context the CDK CLI hands the app (CDK_CONTEXT_JSON, or the file it overflows to). */
function cliContext(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const parse = (text: string | undefined): Record<string, unknown> => {
    if (text === undefined || text.trim() === '') return {};
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  };
  const overflow = env[cxapi.CONTEXT_OVERFLOW_LOCATION_ENV];
  return { ...parse(env[cxapi.CONTEXT_ENV]), ...(overflow ? parse(fs.readFileSync(overflow, 'utf8')) : {}) };
}

export function blueprintAppProps(env: NodeJS.ProcessEnv = process.env): AppProps {
  return {
    treeMetadata: String(cliContext(env).treeMetadata) === 'true',
    context: { [cxapi.DISABLE_CREATION_STACK_TRACES]: true },
  };
}
