import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { open } from '../../src/auth/secret-box.ts';
import { BankError, type BankCredentials } from '../../src/banks/connector.ts';
import type { BankDefinition } from '../../src/banks/bank.ts';
import { PERMISSIONS } from '../../src/domain/permissions.ts';
import { createConnectedEntity } from '../../src/entities/connect-entity.ts';
import { openJourney, sendToBank } from '../../src/link/journey.ts';
import { reconcileStuckCallbacks, STUCK_AFTER_MS } from '../../src/link/reconcile-callbacks.ts';
import { authorizeAtSandboxBank } from '../../src/sandbox-bank/automate-consent.ts';
import { describeDialects } from '../helpers/dialects.ts';
import { callbackParams } from '../helpers/sandbox-fapi.ts';
import { findCustomer } from '../../src/store/customers.ts';
import { advanceLinkSession, getLinkSession } from '../../src/store/link-sessions.ts';
import type { CustomerRow } from '../../src/store/schema.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const BANK = 'SANDBOX_FALCON_AE';

// An API process can die in the middle of a Link callback (a deploy, a crash): after it claimed
// the journey's state, perhaps after the bank handed over tokens, before it recorded anything.
describeDialects('Link callbacks cut short', (dialect) => {
  let s: TestServer;
  let customer: CustomerRow;
  let bank: BankDefinition;

  before(async () => {
    s = await startTestServer({ dialect });
    const token = await s.token();
    customer = (await findCustomer(s.server.ctx.store.db, s.app.app_id, await s.createCustomer(token)))!;
    bank = s.server.ctx.banks.get(BANK)!;
  });
  after(() => s.close());

  /** A journey whose callback claimed its state and exchanged the code, then stopped: a dead process's. */
  async function cutShort(login: string): Promise<{ sessionId: string; credentials: BankCredentials }> {
    const { ctx } = s.server;
    const session = await openJourney(ctx, { customer, mode: 'connect', entityId: null, bank, permissions: PERMISSIONS, language: 'en', redirectUri: null, origin: null });
    const authorizeUrl = (await sendToBank(ctx, session, bank))!;
    const params = callbackParams(await authorizeAtSandboxBank(authorizeUrl, { login }));
    const claimed = (await advanceLinkSession(ctx.store.db, { state: params.state! }, ['at_bank'], { status: 'returned', updated_at: ctx.now().toISOString() }))!;
    const credentials = await ctx.connector.exchangeCode({
      bank,
      consent_id: claimed.consent_id!,
      params,
      state: params.state!,
      nonce: claimed.nonce!,
      code_verifier: open(ctx.encryptionKey, claimed.code_verifier!, `link:${claimed.id}`),
      redirect_uri: `${ctx.publicUrl()}/link/callback`,
    });
    return { sessionId: session.id, credentials };
  }
  const fetchAccounts = (credentials: BankCredentials) =>
    s.server.ctx.connector.fetchData({ bank, credentials, resources: ['accounts'], transactions_from: null });

  it(`fails the journey and revokes its consent at the bank once it has been stuck ${STUCK_AFTER_MS / 60_000} minutes`, async () => {
    const { ctx } = s.server;
    const { sessionId, credentials } = await cutShort('cut-short');
    assert.ok((await fetchAccounts(credentials)).snapshot.accounts.length > 0, 'the consent works before');

    assert.equal(await reconcileStuckCallbacks(ctx), 0, 'a callback may still be running');
    assert.equal((await getLinkSession(ctx.store.db, sessionId))!.status, 'returned');

    s.advanceClock(STUCK_AFTER_MS + 1_000);
    assert.equal(await reconcileStuckCallbacks(ctx), 1);
    const session = (await getLinkSession(ctx.store.db, sessionId))!;
    assert.equal(session.status, 'failed');
    assert.equal(session.failure_reason, 'INTERNAL_ERROR');
    assert.equal(session.result_entity_id, null);
    await assert.rejects(fetchAccounts(credentials), (err: unknown) => err instanceof BankError && err.kind === 'reconnect_required', 'revoked at the bank');
    assert.equal(await reconcileStuckCallbacks(ctx), 0, 'settled once');
  });

  it('completes the journey with its entity when the process died after recording the connection', async () => {
    const { ctx } = s.server;
    const { sessionId, credentials } = await cutShort('recorded');
    const { entity } = await createConnectedEntity(ctx, {
      customer,
      bank,
      permissions: PERMISSIONS,
      consentExpiresAt: new Date(ctx.now().getTime() + 90 * 86_400_000),
      credentials,
    });
    s.advanceClock(STUCK_AFTER_MS + 1_000);
    const settled = await Promise.all([reconcileStuckCallbacks(ctx), reconcileStuckCallbacks(ctx)]);
    assert.equal(settled[0]! + settled[1]!, 1, 'two workers at once settle it once');
    const session = (await getLinkSession(ctx.store.db, sessionId))!;
    assert.equal(session.status, 'completed');
    assert.equal(session.result_entity_id, entity.id);
    assert.ok((await fetchAccounts(credentials)).snapshot.accounts.length > 0, 'its consent is left alone');
  });
});
