// Every flow kind, by name: the store checks each row it reads against its kind.
import { accountTotpFlow, emailChangeFlow, erasureCancelFlow, erasureCancelLinkFlow, portalSignInLinkFlow } from './account.ts';
import { federationFlow } from './federation.ts';
import type { AnyFlowKind } from './kind.ts';
import { liteCaptureFlow } from './lite-capture.ts';
import { emailSignInFlow, loginFlow, mfaEnrolProofFlow, mfaFlow, passkeyOfferFlow, recoveryFlow, registrationFlow } from './sign-in.ts';

export const FLOW_KINDS: readonly AnyFlowKind[] = [
  loginFlow, registrationFlow, recoveryFlow, emailSignInFlow, passkeyOfferFlow, mfaFlow, mfaEnrolProofFlow, federationFlow,
  accountTotpFlow, emailChangeFlow, portalSignInLinkFlow, erasureCancelLinkFlow, erasureCancelFlow, liteCaptureFlow,
];
