// Lists the resources of /admin/api, in one place: each branch or feature adds its import and one entry.
// Keep one entry per line.
import type { AdminSection } from '../types.ts';
import { clientsSection } from './clients.ts';
import { resourcesSection } from './resources.ts';
import { documentsSection } from './documents.ts';
import { profileFieldsSection } from './profile-fields.ts';
import { purposesSection } from './purposes.ts';
import { webhooksSection } from './webhooks.ts';
import { importsSection } from './imports.ts';
import { vaultSection } from './vault.ts';
import { dashboardSection } from './dashboard.ts';
import { customersSection } from './customers.ts';
import { auditSection } from './audit.ts';
import { connectorsSection } from './connectors.ts';
import { keysSection } from './keys.ts';
import { brandsSection } from './brands.ts';

export const ADMIN_SECTIONS: AdminSection[] = [
  webhooksSection,
  clientsSection,
  resourcesSection,
  profileFieldsSection,
  purposesSection,
  documentsSection,
  importsSection,
  vaultSection,
  dashboardSection,
  customersSection,
  auditSection,
  connectorsSection,
  keysSection,
  brandsSection,
];
