/** What every page uses, through one context: the config, the API, the sign-in, the session and the uploads. */
import { createContext } from 'preact';
import { useContext, useEffect } from 'preact/hooks';
import type { Auth } from './auth';
import type { ApiClient } from './lib/api';
import type { ConsoleRuntimeConfig } from './lib/config';
import type { Session } from './lib/session';
import type { UploadStore } from './lib/upload-store';

export interface Services {
  config: ConsoleRuntimeConfig;
  api: ApiClient;
  auth: Auth;
  session: Session;
  uploads: UploadStore<File>;
}

export const ServicesContext = createContext<Services | null>(null);

export function useServices(): Services {
  const services = useContext(ServicesContext);
  if (!services) throw new Error('useServices needs a ServicesContext.Provider');
  return services;
}

/** Sets the document's title (announced by screen readers on navigation). */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · Image labeling`;
  }, [title]);
}
