export * from './cache-user-access';
export * from './cache-default-user';
