/** The validation context aws-cdk-lib hands a validation plugin for an assembly: every stack artifact's template. */
import { IPolicyValidationContext } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';

export function validationContextOf(assembly: cxapi.CloudAssembly): IPolicyValidationContext {
  const stackTemplates = assembly.stacksRecursively.map((s) => ({
    stackConstructPath: s.hierarchicalId,
    templatePath: s.templateFullPath,
    accountId: s.environment.account !== cxapi.UNKNOWN_ACCOUNT ? s.environment.account : undefined,
    region: s.environment.region !== cxapi.UNKNOWN_REGION ? s.environment.region : undefined,
  }));
  return { templatePaths: stackTemplates.map((s) => s.templatePath), stackTemplates } as IPolicyValidationContext;
}
