/**
 * Figures about a synthesized cloud assembly: resources and bytes per template, checked against
 * CloudFormation's limits (500 resources per template; 1 MB template body via S3; CloudFormation
 * User Guide, cloudformation-limits). Used by the scale test and the synth benchmark.
 */
import * as fs from 'fs';
import * as path from 'path';

export const CFN_MAX_RESOURCES = 500;
export const CFN_MAX_TEMPLATE_BYTES = 1_000_000;

export interface TemplateStats {
  readonly file: string;
  readonly resources: number;
  readonly bytes: number;
}

export function assemblyTemplateStats(outdir: string): TemplateStats[] {
  return fs
    .readdirSync(outdir)
    .filter((f) => f.endsWith('.template.json'))
    .sort()
    .map((file) => {
      const text = fs.readFileSync(path.join(outdir, file), 'utf8');
      return { file, resources: Object.keys(JSON.parse(text).Resources ?? {}).length, bytes: Buffer.byteLength(text) };
    });
}

/** Templates over a CloudFormation limit, as messages. */
export function limitProblems(stats: readonly TemplateStats[]): string[] {
  const problems: string[] = [];
  for (const s of stats) {
    if (s.resources > CFN_MAX_RESOURCES) problems.push(`${s.file}: ${s.resources} resources (limit ${CFN_MAX_RESOURCES})`);
    if (s.bytes > CFN_MAX_TEMPLATE_BYTES) problems.push(`${s.file}: ${s.bytes} bytes (limit ${CFN_MAX_TEMPLATE_BYTES})`);
  }
  return problems;
}
