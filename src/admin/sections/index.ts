// Lists the resources of /admin/api, in one place: each branch or feature adds its import and one entry.
// Keep one entry per line.
import type { AdminSection } from '../types.ts';
import { clientsSection } from './clients.ts';
import { resourcesSection } from './resources.ts';
import { webhooksSection } from './webhooks.ts';

export const ADMIN_SECTIONS: AdminSection[] = [
  webhooksSection,
  clientsSection,
  resourcesSection,
];
