export * from './email-access';
export * from './tenant-email';
