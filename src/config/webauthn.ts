// Owns the passkey relying-party settings: the configured rpId, rpName and origins, or their defaults
// from the issuer and brand. A configured IP address is refused (browsers never accept one as rpId); an
// issuer on an IP address (e.g. http://127.0.0.1:3000) runs with passkeys off.
import { isIP } from 'node:net';

export interface WebauthnSettings {
  /** False when the issuer is on an IP address and no rpId is configured: passkeys cannot work there. */
  enabled: boolean;
  rpId: string;
  rpName: string;
  origins: string[];
}

interface WebauthnInput {
  issuer: string;
  brandName: string;
  webauthn?: { rpId?: string | undefined; rpName?: string | undefined; origins?: string[] | undefined } | undefined;
}

/** The effective settings; throws an Error whose message names the key (the caller makes it a ConfigError). */
export function resolveWebauthn(config: WebauthnInput): WebauthnSettings {
  const issuer = new URL(config.issuer);
  const configured = config.webauthn ?? {};
  const rpId = (configured.rpId ?? issuer.hostname).toLowerCase();
  const key = configured.rpId ? 'webauthn.rpId' : 'webauthn.rpId (from the issuer)';
  if (isIP(rpId.replace(/^\[|\]$/g, '')) !== 0) {
    if (!configured.rpId) return { enabled: false, rpId, rpName: configured.rpName ?? config.brandName, origins: [issuer.origin] };
    throw new Error(`${key}: ${rpId} is an IP address, which cannot be a passkey relying party ID; use a host name (e.g. http://localhost) for the issuer, or set webauthn.rpId`);
  }
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(rpId)) {
    throw new Error(`${key}: "${rpId}" is not a host name (no scheme, port or path)`);
  }
  const origins = (configured.origins ?? [issuer.origin]).map((value) => {
    const url = new URL(value);
    if (url.origin !== value.replace(/\/$/, '')) throw new Error(`webauthn.origins: "${value}" must be an origin only (scheme, host and port)`);
    if (url.hostname !== rpId && !url.hostname.endsWith(`.${rpId}`)) throw new Error(`webauthn.origins: ${url.origin} is not on ${rpId} or one of its subdomains`);
    return url.origin;
  });
  return { enabled: true, rpId, rpName: configured.rpName ?? config.brandName, origins };
}
