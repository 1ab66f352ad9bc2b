/**
 * Application-side tenant runtime: resolve a TenantContext from a verified token first, then
 * reach every resource through it. No aws-cdk-lib or constructs import anywhere under
 * lib/runtime (test/runtime/runtime-imports.test.ts proves it), so this runs in services and
 * workers.
 */
export * from '../boundaries/identity/runtime/errors';
export { TenantContext, TenantTokenVerifier, DEFAULT_TOKEN_ALGORITHMS, assertTenantContext, isTenantContext, bearerToken, tenantStatusFromRegistry } from '../boundaries/identity/runtime/tenant-context';
export type { TenantTokenVerifierProps, TenantStatusLookup, VerifyOptions } from '../boundaries/identity/runtime/tenant-context';
export { TenantCredentialVendor } from '../boundaries/identity/runtime/tenant-credentials';
export type { StsAssumeRoleClient, TenantCredentials, TenantCredentialVendorProps } from '../boundaries/identity/runtime/tenant-credentials';
export {
  MAX_OBJECT_KEY_BYTES,
  PRESIGN_CEILING_SECONDS,
  TenantObjectStore,
  checkRelativeKey,
  tenantObjectKey,
  tenantRelativeKey,
} from '../boundaries/storage/runtime/tenant-objects';
export type { PresignOptions, PresignedUrl, TenantClientSource, TenantObjectStoreProps } from '../boundaries/storage/runtime/tenant-objects';
export { withTenantTransaction } from '../boundaries/database/runtime/tenant-transaction';
export type { TenantSqlClient, TenantSqlPool, TenantTransaction, TenantTransactionOptions } from '../boundaries/database/runtime/tenant-transaction';
export { exportsHandler, NOT_FOUND } from './examples/exports-handler';
export type { ExportsHandlerProps, HandlerRequest, HandlerResponse } from './examples/exports-handler';
export { scoped } from '../boundaries/identity/runtime/scoped';
export { cacheChannel, cacheChannelPattern, cacheKey, isCacheKeyOf, jobMessage, jobsQueue } from './tenant-helpers';
export { checkWebhookUrl, prepareWebhookDelivery, webhookSignature, WebhookDeliveryError } from '../boundaries/jobs/runtime/webhook-delivery';
export type { WebhookDelivery, WebhookEndpoint, WebhookEndpointLookup, WebhookRefusal } from '../boundaries/jobs/runtime/webhook-delivery';
export { sendWebhook, systemResolver, WebhookSendError } from '../boundaries/jobs/runtime/webhook-sender';
export type { HostResolver, ResolvedAddress, WebhookSendErrorCode, WebhookSendOptions, WebhookSendResult } from '../boundaries/jobs/runtime/webhook-sender';
export { addressAllowed, classifyAddress } from '../boundaries/jobs/runtime/webhook-address';
export type { AddressRange, AddressVerdict } from '../boundaries/jobs/runtime/webhook-address';
