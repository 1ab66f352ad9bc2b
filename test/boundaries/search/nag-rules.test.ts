/** TI-SEARCH1/2: compliant, non-compliant and error cases. */
import { CfnParameter, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import { AllIndexPaths, MultiRequestExplicitIndex } from '../../../lib/nag';
import { PRINCIPAL_TENANT } from '../../../lib/core/namespace';
import { describeRule } from '../../nag/support';

const DOMAIN = 'arn:aws:es:eu-west-1:111111111111:domain/search';
const domain = (advancedOptions?: Record<string, string>) => (stack: Stack) => void new opensearch.CfnDomain(stack, 'Domain', { advancedOptions });
const grant = (sid: string, actions: string[], resources: string[]) => (stack: Stack) =>
  void new iam.ManagedPolicy(stack, 'Policy', { statements: [new iam.PolicyStatement({ sid, actions, resources })] });

describeRule(MultiRequestExplicitIndex, [
  { name: 'Compliance 1: allow_explicit_index is "false"', build: domain({ 'rest.action.multi.allow_explicit_index': 'false' }), expected: [] },
  { name: 'Noncompliance 1: option absent (OpenSearch defaults to true)', build: domain(), expected: [''] },
  { name: 'Noncompliance 2: option "true"', build: domain({ 'rest.action.multi.allow_explicit_index': 'true' }), expected: [''] },
  {
    name: 'Error 1: option from a template parameter',
    build: (stack) => domain({ 'rest.action.multi.allow_explicit_index': new CfnParameter(stack, 'Explicit').valueAsString })(stack),
    expected: 'error',
  },
]);

describeRule(AllIndexPaths, [
  { name: "Compliance 1: one tenant's indexes", build: grant('Own', ['es:ESHttpGet', 'es:ESHttpPost'], [`${DOMAIN}/tenant-${PRINCIPAL_TENANT}.*/*`]), expected: [] },
  {
    name: 'Compliance 2: domain policy that delegates to the account root',
    build: (stack) =>
      void new opensearch.CfnDomain(stack, 'Domain', {
        accessPolicies: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:root' }, Action: 'es:*', Resource: `${DOMAIN}/*` }],
        },
        advancedOptions: { 'rest.action.multi.allow_explicit_index': 'false' },
      }),
    expected: [],
  },
  { name: 'Noncompliance 1: every index of the domain', build: grant('All', ['es:ESHttp*'], [`${DOMAIN}/*`]), expected: [`[All::${DOMAIN}/*]`] },
  { name: 'Noncompliance 2: _all', build: grant('All', ['es:ESHttpGet'], [`${DOMAIN}/_all/_search`]), expected: [`[All::${DOMAIN}/_all/_search]`] },
  { name: 'Noncompliance 3: every domain', build: grant('Star', ['es:ESHttpGet'], ['*']), expected: ['[Star::*]'] },
  {
    name: 'Noncompliance 4: domain access policy grants a role every index',
    build: (stack) =>
      void new opensearch.CfnDomain(stack, 'Domain', {
        accessPolicies: {
          Version: '2012-10-17',
          Statement: [{ Sid: 'App', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:role/app' }, Action: 'es:ESHttpGet', Resource: `${DOMAIN}/*` }],
        },
      }),
    expected: [`[App::${DOMAIN}/*]`],
  },
  {
    name: 'Error 1: resource from a template parameter',
    build: (stack) => grant('P', ['es:ESHttpGet'], [new CfnParameter(stack, 'Arn').valueAsString])(stack),
    expected: 'error',
  },
]);
