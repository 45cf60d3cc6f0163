/**
 * SvelteKit's router, reached through this one module so that component tests can replace it (`$app/*`
 * does not resolve outside a Kit build). State modules never import it.
 */
export { afterNavigate, goto } from '$app/navigation';
export { page } from '$app/state';
