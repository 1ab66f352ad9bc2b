export * from './cache-key-tenant';
export * from './signed-url-scope';
