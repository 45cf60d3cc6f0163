import path from 'node:path';
import { bundleForBrowser, launchBrowser } from '../../../e2e/support/browser.js';
import { runWorkloads, type WorkloadOptions, type WorkloadResult } from './workload.js';

/**
 * Operations per second of the client-side crypto for a 1 KiB message — DM (Double Ratchet) and group
 * (sender key), encrypt and decrypt, each through the wire envelope — in this Node process and in
 * headless Chromium running the same code from the browser bundle. A short warm-up run precedes each
 * measured run so that the JIT has compiled the hot paths.
 */
const measured: WorkloadOptions = { messages: 3000, messageBytes: 1024 };
const warmUp: WorkloadOptions = { messages: 300, messageBytes: 1024 };

async function main(): Promise<void> {
  await runWorkloads(() => performance.now(), warmUp);
  const node = await runWorkloads(() => performance.now(), measured);
  const chromium = await inChromium();
  printTable(node, chromium);
}

async function inChromium(): Promise<WorkloadResult[]> {
  const script = await bundleForBrowser(path.join(import.meta.dirname, 'browser-entry.ts'));
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    await page.addScriptTag({ content: script });
    return await page.evaluate(
      async ([warm, run]) => {
        const runner = (
          globalThis as unknown as { runCryptoWorkloads: (o: WorkloadOptions) => Promise<WorkloadResult[]> }
        ).runCryptoWorkloads;
        await runner(warm);
        return runner(run);
      },
      [warmUp, measured] as const,
    );
  } finally {
    await browser.close();
  }
}

function printTable(node: WorkloadResult[], chromium: WorkloadResult[]): void {
  console.log(`crypto: ${measured.messages} messages of ${measured.messageBytes} bytes per run`);
  console.log(`${'operation'.padEnd(34)}${'Node ops/s'.padStart(12)}${'Chromium ops/s'.padStart(16)}`);
  for (const row of node) {
    const browserRow = chromium.find((candidate) => candidate.name === row.name);
    console.log(
      `${row.name.padEnd(34)}${String(row.opsPerSecond).padStart(12)}${String(browserRow?.opsPerSecond ?? '-').padStart(16)}`,
    );
  }
}

await main();
