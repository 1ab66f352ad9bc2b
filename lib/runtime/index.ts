/**
 * Application-side tenant runtime: resolve a TenantContext from a verified token first, then
 * reach every resource through it. No aws-cdk-lib or constructs import anywhere under
 * lib/runtime (test/runtime/runtime-imports.test.ts proves it), so this runs in services and
 * workers.
 */
export * from '../boundaries/identity/runtime/errors';
export {
  TenantContext,
  TenantTokenVerifier,
  DEFAULT_TOKEN_ALGORITHMS,
  assertTenantContext,
  isTenantContext,
  bearerToken,
  tenantStatusFromRegistry,
} from '../boundaries/identity/runtime/tenant-context';
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
export { TenantTable } from '../boundaries/dynamodb/runtime/tenant-table';
export type {
  PutOptions,
  QueryOptions,
  QueryResult,
  TenantDynamoDbClientSource,
  TenantExpression,
  TenantItemKey,
  TenantTableSchema,
  TransactWriteItem,
} from '../boundaries/dynamodb/runtime/tenant-table';
export { TenantTableError } from '../boundaries/dynamodb/runtime/errors';
export type { TenantTableErrorCode } from '../boundaries/dynamodb/runtime/errors';
export { withTenantTransaction } from '../boundaries/database/runtime/tenant-transaction';
export type { TenantTransaction, TenantTransactionOptions } from '../boundaries/database/runtime/tenant-transaction';
export { withTenant } from '../boundaries/database/runtime/with-tenant';
export type { TenantSqlClient, TenantSqlPool } from '../boundaries/database/runtime/with-tenant';
export { exportsHandler, NOT_FOUND } from './examples/exports-handler';
export type { ExportsHandlerProps, HandlerRequest, HandlerResponse } from './examples/exports-handler';
export { scoped } from '../boundaries/identity/runtime/scoped';
export { cacheChannel, cacheChannelPattern, cacheKey, isCacheKeyOf, jobMessage, jobsQueue } from './tenant-helpers';
export { assertQueryStaysInTenant, assertTemplateStaysInTenant, SearchGuardError, tenantIndexName } from '../boundaries/search/runtime/search-request-guard';
export type { SearchGuardCode } from '../boundaries/search/runtime/search-request-guard';
export { TenantSearchClient } from '../boundaries/search/runtime/tenant-search-client';
export type { SearchHttpRequest, SearchHttpResponse, SearchMethod, SearchTransport } from '../boundaries/search/runtime/tenant-search-client';
export { SigV4SearchTransport } from '../boundaries/search/runtime/sigv4-search-transport';
export type { SearchFetch, SearchSessionCredentials, SigV4SearchTransportProps } from '../boundaries/search/runtime/sigv4-search-transport';
export { checkWebhookUrl, prepareWebhookDelivery, webhookSignature, WebhookDeliveryError } from '../boundaries/jobs/runtime/webhook-delivery';
export type { WebhookDelivery, WebhookEndpoint, WebhookEndpointLookup, WebhookRefusal } from '../boundaries/jobs/runtime/webhook-delivery';
export { sendWebhook, systemResolver, WebhookSendError } from '../boundaries/jobs/runtime/webhook-sender';
export type { HostResolver, ResolvedAddress, WebhookSendErrorCode, WebhookSendOptions, WebhookSendResult } from '../boundaries/jobs/runtime/webhook-sender';
export { addressAllowed, classifyAddress } from '../boundaries/jobs/runtime/webhook-address';
export type { AddressRange, AddressVerdict } from '../boundaries/jobs/runtime/webhook-address';
// The registry reader (CDK-free, lib/core): services vet tenants with tenantStatusFromRegistry(loadRegistry(file)).
export { loadRegistry, parseRegistry, RegistryError } from '../core/registry';
export type { Registry, TenantEntry, TenantStatus } from '../core/registry';
// The tenant id value type (CDK-free, lib/core): parse ids at the edge of a service.
export { TenantId, TenantIdError } from '../core/tenant-id';
// analytics: events stamped and signed for the context's tenant, tenant-stamped logs and metrics
export { AnalyticsProducer, AnalyticsEventError, MAX_BATCH_BYTES, MAX_BATCH_RECORDS } from '../boundaries/analytics/runtime/analytics-producer';
export type { AnalyticsEventErrorCode, AnalyticsProducerProps, AnalyticsRecordSink } from '../boundaries/analytics/runtime/analytics-producer';
export { TenantLogger, TenantLogFieldError, tenantLogger } from '../boundaries/analytics/runtime/tenant-log';
export type { LogLevel, MetricUnit, TenantLoggerOptions } from '../boundaries/analytics/runtime/tenant-log';
// jobs: workers verify the envelope against the queue's tenant
export { JOB_ENVELOPE_VERSION, JobEnvelopeError, MAX_JOB_MESSAGE_BYTES, parseJobMessage } from '../boundaries/jobs/runtime/job-envelope';
export type { JobEnvelope, JobEnvelopeRefusal, NewJob } from '../boundaries/jobs/runtime/job-envelope';
export { CDN_LIFETIME_CEILING_SECONDS, CdnSigningError, cloudFrontBase64, DEFAULT_CDN_MAX_LIFETIME_SECONDS, TenantCdnSigner } from '../boundaries/cdn/runtime/cdn-signer';
export type { CdnSignedCookies, CdnSignedUrl, CdnSigningErrorCode, CdnSignOptions, TenantCdnSignerProps } from '../boundaries/cdn/runtime/cdn-signer';
export { cdnTenantPath, cdnTenantResource } from '../core/cdn';
// email: sends as the context's tenant only (its identity, configuration set, SES tenant, tags)
export { TenantMailer, sesV2SenderFromClient } from '../boundaries/email/runtime/tenant-mailer';
export type {
  SesV2SendEmailInput,
  SesV2SendEmailOutput,
  SesV2Sender,
  TenantEmailMessage,
  TenantMailerProps,
  TenantSesSenderSource,
} from '../boundaries/email/runtime/tenant-mailer';
export { TenantMailerError } from '../boundaries/email/runtime/errors';
export type { TenantMailerErrorCode } from '../boundaries/email/runtime/errors';
