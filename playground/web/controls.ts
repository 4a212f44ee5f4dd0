import type { BackendSettings } from '../server/settings.js';
import type { PageConfig } from './config.js';

export interface ControlHandlers {
  updateServer(patch: Partial<BackendSettings>): void;
  force429(retryAfterSeconds: number): void;
  /** Restarts with `patch`; returns the config in use (a bad value keeps the current one). */
  restart(patch: Partial<PageConfig>): PageConfig;
  togglePause(): void;
}

const SERVER_BOOLEANS = ['batchEndpoint', 'rateLimitHeaders', 'exposeRetryAfter'] as const;
const SERVER_NUMBERS = ['limitPerMinute', 'latencyMs'] as const;
const PAGE_NUMBERS = ['interval', 'batchSize', 'items'] as const;

/** Binds the form: backend switches go to the server, page settings restart the dashboards. */
export function bindControls(
  form: HTMLFormElement,
  settings: BackendSettings,
  config: PageConfig,
  on: ControlHandlers,
): void {
  const field = <T extends HTMLElement>(name: string) =>
    form.querySelector<T>(`[name="${name}"]`) as T;
  for (const name of SERVER_BOOLEANS) {
    const input = field<HTMLInputElement>(name);
    input.checked = settings[name];
    input.addEventListener('change', () => on.updateServer({ [name]: input.checked }));
  }
  for (const name of SERVER_NUMBERS) {
    const input = field<HTMLInputElement>(name);
    input.value = String(settings[name]);
    input.addEventListener('change', () => on.updateServer({ [name]: input.valueAsNumber }));
  }
  const errors = field<HTMLInputElement>('errorRate');
  errors.value = String(Math.round(settings.errorRate * 100));
  errors.addEventListener('change', () =>
    on.updateServer({ errorRate: errors.valueAsNumber / 100 }),
  );

  for (const name of PAGE_NUMBERS) {
    const input = field<HTMLInputElement>(name);
    input.value = String(config[name]);
    input.addEventListener('change', () => {
      input.value = String(on.restart({ [name]: input.valueAsNumber })[name]);
    });
  }
  const api = field<HTMLSelectElement>('api');
  api.value = config.api;
  api.addEventListener('change', () => on.restart({ api: api.value as PageConfig['api'] }));
  const naive = field<HTMLInputElement>('naive');
  naive.checked = config.naive;
  naive.addEventListener('change', () => on.restart({ naive: naive.checked }));

  const retryAfter = form.querySelector<HTMLInputElement>('#retryAfter')!;
  form.querySelector('#force429')!.addEventListener('click', () => {
    on.force429(retryAfter.valueAsNumber);
  });
  // Its label follows the poller in every redraw (a restart makes a new, running one).
  form.querySelector('#pause')!.addEventListener('click', () => on.togglePause());
}
