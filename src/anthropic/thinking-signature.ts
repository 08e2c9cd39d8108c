import { createHmac, timingSafeEqual } from 'node:crypto';

// The `signature` of a thinking block: an integrity tag, HMAC-SHA256 over the thinking text under a server key
// (main.ts derives it from the JWT secret, so every instance sharing JWT_SECRET signs and checks alike and a
// restart keeps it). A thinking block that comes back with a signature that does not match its text (edited,
// forged, signed under another key, or the placeholder of earlier versions) is not passed to the model; the
// rest of the message is kept. Anthropic refuses such a request with 400; we drop instead, because our
// signature guards nothing the client could not already write as plain assistant text, and a rotated key must
// not break a running conversation.

export interface ThinkingSigner {
  sign(thinking: string): string;
  /** True when `signature` is this server's tag over exactly `thinking`. */
  verify(thinking: string, signature: string | null | undefined): boolean;
}

const PREFIX = 'opx1.';

export function createThinkingSigner(key: Uint8Array): ThinkingSigner {
  const tag = (thinking: string): Buffer => createHmac('sha256', key).update('anthropic-thinking\0').update(thinking, 'utf8').digest();
  return {
    sign: (thinking) => `${PREFIX}${tag(thinking).toString('base64url')}`,
    verify(thinking, signature) {
      if (typeof signature !== 'string' || !signature.startsWith(PREFIX)) return false;
      const given = Buffer.from(signature.slice(PREFIX.length), 'base64url');
      const expected = tag(thinking);
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}
