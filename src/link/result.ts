import type { LinkSessionRow } from '../store/schema.ts';
import type { LinkResultMessage } from './pages.ts';
import type { LinkReason } from './reasons.ts';

/** The result of a settled journey, as the callback parameters and the SDK's message carry it. */
export function resultOf(session: LinkSessionRow): LinkResultMessage {
  const ok = session.status === 'completed';
  return {
    source: 'openlean-link',
    status: ok ? 'SUCCESS' : 'ERROR',
    entity_id: ok ? session.result_entity_id : session.entity_id,
    customer_id: session.customer_id,
    reason: ok ? null : ((session.failure_reason as LinkReason | null) ?? 'INTERNAL_ERROR'),
  };
}

/** The caller's `redirect_uri` with the result: `status`, and `entity_id`, `customer_id`, `reason` when known. */
export function returnUrl(redirectUri: string, result: LinkResultMessage): string {
  const url = new URL(redirectUri);
  url.searchParams.set('status', result.status);
  for (const name of ['entity_id', 'customer_id', 'reason'] as const) {
    const value = result[name];
    if (value) url.searchParams.set(name, value);
  }
  return url.toString();
}
