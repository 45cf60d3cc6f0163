import { http } from './http';

export type LegalKind = 'terms' | 'privacy';

export interface LegalDocument {
  title: string;
  /** Markdown written by the instance's operator (or the server's default text). */
  body: string;
}

export function fetchLegalDocument(kind: LegalKind): Promise<LegalDocument> {
  return http.get<LegalDocument>(`/legal/${kind}`, undefined, { anonymous: true });
}
