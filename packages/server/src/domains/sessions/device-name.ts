/** "Chrome on Linux", "Chatalot Desktop", … from a User-Agent header (rest-api.md §2). */
export function deviceName(userAgent: string | undefined): string | null {
  if (!userAgent || Buffer.byteLength(userAgent) > 512) return null;
  if (/tauri/i.test(userAgent)) return 'Chatalot Desktop';
  const browser = browserOf(userAgent);
  const os = osOf(userAgent);
  if (browser && os) return `${browser} on ${os}`;
  return browser ?? os ?? userAgent.slice(0, 50);
}

function browserOf(ua: string): string | null {
  if (ua.includes('Edg/')) return 'Edge';
  if (ua.includes('Chrome/') && !ua.includes('Chromium/')) return 'Chrome';
  if (ua.includes('Firefox/')) return 'Firefox';
  if (ua.includes('Safari/') && !ua.includes('Chrome/')) return 'Safari';
  if (ua.includes('Chromium/')) return 'Chromium';
  return null;
}

function osOf(ua: string): string | null {
  if (ua.includes('Android')) return 'Android';
  if (ua.includes('iPhone') || ua.includes('iPad')) return 'iOS';
  if (ua.includes('Linux')) return 'Linux';
  if (ua.includes('Mac OS X') || ua.includes('Macintosh')) return 'macOS';
  if (ua.includes('Windows')) return 'Windows';
  return null;
}
