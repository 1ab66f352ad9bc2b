export * from './support-role-guards';
