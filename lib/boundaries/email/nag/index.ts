export * from './ses-send-scope';
