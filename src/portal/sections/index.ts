// Lists the sections of /account, in one place: each branch or feature adds its import and one entry.
// Order on the page comes from navOrder, not from this list; keep one entry per line.
import type { PortalSection } from '../types.ts';
import { overviewSection } from './overview.ts';
import { profileSection } from './profile.ts';
import { securitySection } from './security.ts';
import { appsSection } from './apps.ts';
import { sharingSection } from './sharing.ts';
import { linkedSection } from './linked.ts';
import { sessionsSection } from './sessions.ts';
import { consentsSection } from './consents.ts';
import { preferencesSection } from './preferences.ts';
import { privacySection } from './privacy.ts';

export const PORTAL_SECTIONS: PortalSection[] = [
  overviewSection,
  profileSection,
  securitySection,
  linkedSection,
  appsSection,
  sharingSection,
  sessionsSection,
  // consent section (consent history, receipts, communication preferences): add its entry on the next line
  consentsSection,
  preferencesSection,

  // privacy section (data export, erasure, restriction): add its entry on the next line
  privacySection,

];
