import { InvalidTokenError } from '../../auth/tokens.ts';
import type { AppContext } from '../../context.ts';
import { LinkError, type ReturnTarget } from '../../link/reasons.ts';
import { findCustomer } from '../../store/customers.ts';
import type { CustomerRow } from '../../store/schema.ts';

/**
 * The customer a `customer.<id>` token acts for. A genuine token past its expiry is TOKEN_EXPIRED
 * and may send the user back to the caller; anything else is TOKEN_INVALID and may not, since
 * nothing proves who built the link.
 */
export async function customerOfToken(ctx: AppContext, token: string, target: ReturnTarget): Promise<CustomerRow> {
  let principal;
  try {
    principal = await ctx.tokens.verify(token);
  } catch (err) {
    if (!(err instanceof InvalidTokenError)) throw err;
    if (err.expired) throw new LinkError(401, 'TOKEN_EXPIRED', err.message, target);
    throw new LinkError(401, 'TOKEN_INVALID', err.message, { redirectUri: null, origin: target.origin });
  }
  if (principal.scope.kind !== 'customer') {
    throw new LinkError(403, 'TOKEN_INVALID', 'The link needs a customer-scoped token (scope customer.<customer_id>), never a backend one', {
      redirectUri: null,
      origin: target.origin,
    });
  }
  const customer = await findCustomer(ctx.store.read, principal.appId, principal.scope.customerId);
  if (!customer) throw new LinkError(404, 'INVALID_REQUEST', `Customer ${principal.scope.customerId} was not found`, target);
  return customer;
}
