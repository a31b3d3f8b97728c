import type { Migration } from 'kysely/migration';
import * as initial from './001-initial.ts';
import * as refreshes from './002-refreshes.ts';
import * as webhooks from './003-webhooks.ts';
import * as linkSessions from './004-link-sessions.ts';
import * as entityChanges from './005-entity-change-notifications.ts';
import * as sandboxApplication from './006-sandbox-application.ts';
import * as webhookEventAge from './007-webhook-event-age.ts';
import * as rateLimitWindows from './008-rate-limit-windows.ts';
import * as transactionSync from './009-transaction-sync.ts';
import * as refreshWaitsAndBankQuirks from './010-refresh-waits-and-bank-quirks.ts';
import * as transactionStandardFields from './011-transaction-standard-fields.ts';
import * as dataResults from './012-data-results.ts';
import * as sealedSigningKeys from './013-sealed-signing-keys.ts';
import * as auditEvents from './014-audit-events.ts';
import * as auditSegments from './015-audit-segments.ts';
import * as transactionJson from './016-transaction-json.ts';
import * as transactionChunks from './017-transaction-chunks.ts';
import * as transactionHeads from './018-transaction-heads.ts';

/** Every migration, in order. Names are stable forever: they are the keys recorded in the database. */
export const MIGRATIONS: Record<string, Migration> = {
  '001-initial': initial,
  '002-refreshes': refreshes,
  '003-webhooks': webhooks,
  '004-link-sessions': linkSessions,
  '005-entity-change-notifications': entityChanges,
  '006-sandbox-application': sandboxApplication,
  '007-webhook-event-age': webhookEventAge,
  '008-rate-limit-windows': rateLimitWindows,
  '009-transaction-sync': transactionSync,
  '010-refresh-waits-and-bank-quirks': refreshWaitsAndBankQuirks,
  '011-transaction-standard-fields': transactionStandardFields,
  '012-data-results': dataResults,
  '013-sealed-signing-keys': sealedSigningKeys,
  '014-audit-events': auditEvents,
  '015-audit-segments': auditSegments,
  '016-transaction-json': transactionJson,
  '017-transaction-chunks': transactionChunks,
  '018-transaction-heads': transactionHeads,
};
