// Owns what a fresh start outside production seeds for the demo: a small profile schema whose rules show
// progressive profiling within three sign-ins (config `demoProfile`). The database stays authoritative:
// fields are inserted only where absent, and only on an empty database, with the demo client.
import { profileFieldSchema, type ProfileFieldDefinition } from '../config/profile-fields.ts';

export const DEMO_PROFILE_FIELDS: ProfileFieldDefinition[] = profileFieldSchema.array().parse([
  { key: 'given_name', label: { en: 'First name' }, ask: 'signup', priority: 10 },
  {
    key: 'birthdate', type: 'date', label: { en: 'Birthday' }, help: { en: 'For a birthday treat.' },
    purpose: 'marketing', ask: { fromVisit: 2 }, priority: 5,
  },
  {
    key: 'contact_channel', type: 'single_choice', label: { en: 'How should we keep in touch?' },
    help: { en: 'Your communication preference; change it any time in your account.' },
    purpose: 'marketing', ask: { fromVisit: 3 },
    options: [
      { value: 'email', label: { en: 'By email' } },
      { value: 'sms', label: { en: 'By text message' } },
      { value: 'none', label: { en: 'Please do not contact me' } },
    ],
  },
]);

/**
 * The demo profile applies with the demo app, outside production, unless `demoProfile` is off or the
 * configuration brings profile fields of its own (then its rules, visit gap included, are the ones to see).
 */
export function demoProfileActive(config: { demo: boolean; demoProfile: boolean; nodeEnv: string; profile: { fields: unknown[] } }): boolean {
  return config.demo && config.demoProfile && config.nodeEnv !== 'production' && config.profile.fields.length === 0;
}
