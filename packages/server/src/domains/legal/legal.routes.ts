import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.js';

type LegalConfig = Pick<Config, 'dataDir' | 'publicUrl'>;

interface LegalDocument {
  title: string;
  body: string;
}

/**
 * Public legal pages (rest-api.md §27). The operator's own Markdown wins when present and non-blank.
 * The reference read `data/<file>` relative to its working directory; ours reads it from DATA_DIR,
 * where everything else of the instance lives. Files are read on every request, so edits need no restart.
 */
export function legalRoutes(config: LegalConfig) {
  const instance = config.publicUrl ?? 'this Chatalot instance';
  return async (app: FastifyInstance) => {
    app.get(
      '/api/legal/privacy',
      async (): Promise<LegalDocument> => ({
        title: 'Privacy Policy',
        body: (await readDocument(config.dataDir, 'privacy-policy.md')) ?? defaultPrivacyPolicy(instance),
      }),
    );
    app.get(
      '/api/legal/terms',
      async (): Promise<LegalDocument> => ({
        title: 'Terms of Service',
        body: (await readDocument(config.dataDir, 'terms-of-service.md')) ?? defaultTerms(instance),
      }),
    );
  };
}

/** null when the file is missing or blank; any other read failure is the operator's to see as a 500. */
async function readDocument(dataDir: string, file: string): Promise<string | null> {
  try {
    const text = await readFile(path.join(dataDir, file), 'utf8');
    return text.trim() === '' ? null : text;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

function defaultPrivacyPolicy(instance: string): string {
  return `# Privacy Policy

This policy covers **${instance}**, a self-hosted server running the open-source Chatalot software.
Its administrator runs it independently of the Chatalot developers.

## What the server stores

- **Your account**: username, email address, display name and the profile details you add.
- **Messages and files**: stored end-to-end encrypted. The server keeps only ciphertext it cannot read.
- **Sessions**: the device name and IP address of each signed-in device, so you can review and revoke them.
- **Security log**: sign-ins and other security events, with their time and IP address.
- **Preferences**: the settings you choose to sync between your devices.

Your password is never stored, only a one-way hash of it.

## What the server can and cannot see

The server sees who talks in which channel and when, file sizes, and when you are online. It cannot
see the content of your messages or files.

## Sharing

The Chatalot software sends no analytics, tracking or telemetry anywhere, and this instance does not
pass your data to third parties through it.

## Retention and your choices

Data is kept until you, or an administrator, delete it. Deleting your account removes your account
data. You can review and revoke your sessions and replace your recovery code at any time.

## Contact

Questions about your data go to the administrator of **${instance}**.

*This is the default policy; the administrator can replace it.*
`;
}

function defaultTerms(instance: string): string {
  return `# Terms of Service

**${instance}** runs Chatalot, open-source self-hosted chat software. Its administrator operates it
independently of the Chatalot developers. By creating an account you accept these terms and the
Privacy Policy.

## Your part

- Keep your password and your recovery code safe; the recovery code is your way back into your account.
- Do not use the service for anything illegal.
- Treat other people with respect and follow the rules the administrator sets.

## The administrator's part

The administrator keeps the server running, secure and backed up, enforces acceptable use and
answers legal requests where the server is operated.

## No warranty

The software comes as is, without warranty of any kind. Its developers do not run this instance, are
not responsible for what is hosted on it and give no guarantee of availability or data integrity.

## Ending your account

You can delete your account at any time in Settings. The administrator may suspend or delete accounts
that break these terms. Deleted accounts cannot be restored.

## Trust

End-to-end encryption protects what you write, but the administrator controls the server. Use an
instance whose administrator you trust.

## Changes

The administrator may change these terms. Using the service after a change means accepting it.

*These are the default terms; the administrator can replace them.*
`;
}
