import { type PreferencesResponse, updatePreferencesRequest } from '@chatalot/protocol';
import type { FastifyInstance } from 'fastify';
import { caller } from '../../platform/auth/authenticate.js';
import { parseInput } from '../../platform/validation.js';
import type { PreferencesService } from './preferences.service.js';

/** Synced preferences (rest-api.md §6); register inside the authenticated scope. */
export function preferencesRoutes(preferences: PreferencesService) {
  return async (app: FastifyInstance) => {
    app.get(
      '/api/account/preferences',
      async (request): Promise<PreferencesResponse> => ({
        preferences: preferences.get(caller(request).user),
      }),
    );

    app.put('/api/account/preferences', async (request): Promise<PreferencesResponse> => {
      const body = parseInput(updatePreferencesRequest, request.body);
      return { preferences: await preferences.update(caller(request).user, body.preferences) };
    });
  };
}
