// Lists the sections of /account, in one place: each branch or feature adds its import and one entry.
// Order on the page comes from navOrder, not from this list; keep one entry per line.
import type { PortalSection } from '../types.ts';
import { overviewSection } from './overview.ts';
import { privacySection } from './privacy.ts';

export const PORTAL_SECTIONS: PortalSection[] = [
  overviewSection,
  // consent section (consent history, receipts, communication preferences): add its entry on the next line

  // privacy section (data export, erasure, restriction): add its entry on the next line
  privacySection,

];
