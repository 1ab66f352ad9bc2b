export * from './stateful-retention';
