import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface Certificate {
  certPath: string;
  keyPath: string;
  /** The certificate itself, which clients pass as their only trusted `ca`. */
  pem: Buffer;
}

/** A self-signed P-256 certificate for `localhost` and 127.0.0.1, valid for a day, written into `dir`. */
export function makeSelfSignedCertificate(dir: string): Certificate {
  const certPath = path.join(dir, 'tls-cert.pem');
  const keyPath = path.join(dir, 'tls-key.pem');
  execFileSync(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
      ...['-keyout', keyPath, '-out', certPath, '-days', '1', '-subj', '/CN=localhost'],
      ...['-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'],
    ],
    { stdio: 'ignore' },
  );
  return { certPath, keyPath, pem: readFileSync(certPath) };
}
