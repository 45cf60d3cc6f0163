export * from './errors.js';
export * from './limits.js';
export * from './rest/account.js';
export * from './rest/auth.js';
export * from './rest/common.js';
export * from './rest/health.js';
export * from './rest/users.js';
