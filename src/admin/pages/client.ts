// Owns what the admin pages ask of their own sign-in beyond their registration (src/clients/own-pages.ts).

/** The step-up value the admin pages ask for (and check) when a second factor is required. */
export const SECOND_FACTOR_ACR = 'urn:foyer:acr:2fa';
