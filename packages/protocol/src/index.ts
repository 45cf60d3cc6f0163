export * from './errors.js';
export * from './limits.js';
export * from './rest/health.js';
