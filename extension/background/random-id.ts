/** Random url-safe ids (client ids, secrets, note op ids) from the platform's CSPRNG. */

/** `bytes` random bytes as unpadded base64url: 16 bytes give 22 characters, 32 give 43. */
export function randomId(bytes: number): string {
  const buffer = new Uint8Array(bytes);
  crypto.getRandomValues(buffer);
  let binary = '';
  for (const byte of buffer) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
