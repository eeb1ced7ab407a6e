// Owns the running Provider. oidc-provider fixes its keystore at construction, so when the signing keys
// change in the database (a rotation by any instance or the CLI) the Provider is rebuilt over the same
// adapter; state lives in the database, so nothing is lost.
import type { Logger } from '../log.ts';
import type { Provider } from 'oidc-provider';
import { buildProvider, type ProviderDeps } from './provider.ts';
import type { SigningKeyStore } from './signing-keys.ts';

export interface ProviderHost {
  current(): Provider;
  /** Rebuilds the Provider if the published keys (or the profile schema) changed; true when it did. */
  refreshIfKeysChanged(): Promise<boolean>;
  startWatching(intervalSeconds: number): void;
  stop(): void;
}

export async function createProviderHost(deps: ProviderDeps, keys: SigningKeyStore, log: Logger): Promise<ProviderHost> {
  let keySet = await keys.loadKeySet();
  let provider = buildProvider(deps, keySet.keys);
  let schemaVersion = deps.profile?.current().version;
  let timer: NodeJS.Timeout | undefined;

  const host: ProviderHost = {
    current: () => provider,
    async refreshIfKeysChanged() {
      // The profile schema's custom scopes and claims are fixed at construction too: a change rebuilds alike.
      await deps.profile?.reloadIfChanged();
      const schemaChanged = deps.profile !== undefined && deps.profile.current().version !== schemaVersion;
      const keysChanged = (await keys.keySetVersion()) !== keySet.version;
      if (!keysChanged && !schemaChanged) return false;
      if (keysChanged) keySet = await keys.loadKeySet();
      provider = buildProvider(deps, keySet.keys);
      schemaVersion = deps.profile?.current().version;
      log.info({ keys: keySet.keys.length, keysChanged, schemaChanged }, 'signing keys or profile schema changed: provider rebuilt');
      return true;
    },
    startWatching(intervalSeconds) {
      timer = setInterval(() => {
        host.refreshIfKeysChanged().catch((err: unknown) => log.warn({ err }, 'checking signing keys failed'));
      }, intervalSeconds * 1000);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
    },
  };
  return host;
}
