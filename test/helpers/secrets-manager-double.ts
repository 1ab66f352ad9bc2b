/**
 * Test support: a RecordedSecretsManagerDouble standing in for `@aws-sdk/client-secrets-manager`
 * (no AWS account here) in the analytics transformation's tests. It answers GetSecretValue from
 * `versions` (by version stage, AWSCURRENT by default), throws ResourceNotFoundException for a
 * stage it does not hold, and records every request in `requests`.
 *
 *   jest.mock('@aws-sdk/client-secrets-manager', () => require('../../helpers/secrets-manager-double').secretsManagerDoubleModule(versions), { virtual: true });
 */
export interface SecretRequest {
  readonly SecretId: string;
  readonly VersionStage?: string;
}

export function secretsManagerDoubleModule(versions: Record<string, string | undefined>, requests: SecretRequest[] = []) {
  class ResourceNotFoundException extends Error {
    name = 'ResourceNotFoundException';
  }
  class GetSecretValueCommand {
    constructor(public readonly input: SecretRequest) {}
  }
  class RecordedSecretsManagerDouble {
    async send(cmd: GetSecretValueCommand) {
      requests.push(cmd.input);
      const value = versions[cmd.input.VersionStage ?? 'AWSCURRENT'];
      if (value === undefined) throw new ResourceNotFoundException(`no ${cmd.input.VersionStage}`);
      return { SecretString: value };
    }
  }
  return { SecretsManagerClient: RecordedSecretsManagerDouble, GetSecretValueCommand, ResourceNotFoundException };
}
