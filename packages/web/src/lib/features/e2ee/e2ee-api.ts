import { fetchAuthConfig } from '$lib/api/auth';
import {
  countOneTimePrekeys,
  fetchKeyBundle,
  registerKeys,
  uploadOneTimePrekeys,
  uploadSignedPrekey,
} from '$lib/api/keys';
import { listSenderKeys, uploadSenderKey } from '$lib/api/sender-keys';
import type { E2eeApi } from './e2ee-types';

/** The E2E layer's server calls, over the app's HTTP client. */
export const e2eeApi: E2eeApi = {
  e2eEnabled: async () => (await fetchAuthConfig()).e2e_enabled,
  fetchKeyBundle,
  registerKeys,
  uploadSignedPrekey,
  uploadOneTimePrekeys,
  countOneTimePrekeys,
  uploadSenderKey,
  listSenderKeys,
};
