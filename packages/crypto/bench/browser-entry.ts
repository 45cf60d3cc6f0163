import { runWorkloads, type WorkloadOptions } from './workload.js';

Object.assign(globalThis, {
  runCryptoWorkloads: (options: WorkloadOptions) => runWorkloads(() => performance.now(), options),
});
