import type {
  AuthConfigResponse,
  AuthResponse,
  LoginRequest,
  RegisterRequest,
  TokenPair,
} from '@chatalot/protocol';
import { http } from './http';

const anonymous = { anonymous: true } as const;

export function fetchAuthConfig(): Promise<AuthConfigResponse> {
  return http.get<AuthConfigResponse>('/auth/config', undefined, anonymous);
}

export function login(body: LoginRequest): Promise<AuthResponse> {
  return http.post<AuthResponse>('/auth/login', body, anonymous);
}

export function register(body: RegisterRequest): Promise<AuthResponse> {
  return http.post<AuthResponse>('/auth/register', body, anonymous);
}

export function refreshTokens(refreshToken: string): Promise<TokenPair> {
  return http.post<TokenPair>('/auth/refresh', { refresh_token: refreshToken }, anonymous);
}

export function recoverAccount(body: {
  username: string;
  recovery_code: string;
  new_password: string;
}): Promise<{ recovery_code: string }> {
  return http.post<{ recovery_code: string }>('/auth/recover', body, anonymous);
}
