import type { ResponseCache } from './api/data/response-cache.ts';
import type { TokenService } from './auth/tokens.ts';
import type { BankRegistry } from './banks/registry.ts';
import type { Config } from './config.ts';
import type { Store } from './store/database.ts';

/** What handlers need, handed to each route's register function; nothing is a module singleton. */
export interface AppContext {
  config: Config;
  store: Store;
  tokens: TokenService;
  banks: BankRegistry;
  /** Finished data responses, per entity data version. */
  responses: ResponseCache;
  now: () => Date;
}
