/** A transition length in ms, or 0 when the user asked the OS for reduced motion (A11Y-06). */
export function motion(ms: number): number {
  const reduced = typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches;
  return reduced ? 0 : ms;
}
