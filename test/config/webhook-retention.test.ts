import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config.ts';

describe('WEBHOOK_RETENTION_DAYS', () => {
  it('is 30 days unless set, and must outlast the retry schedule', () => {
    assert.equal(loadConfig({}).webhooks.retentionDays, 30);
    assert.equal(loadConfig({ WEBHOOK_RETENTION_DAYS: '1' }).webhooks.retentionDays, 1);
    assert.throws(() => loadConfig({ WEBHOOK_RETENTION_DAYS: '0' }), /WEBHOOK_RETENTION_DAYS must be an integer between 1 and 3650/);
    assert.throws(() => loadConfig({ WEBHOOK_RETENTION_DAYS: '2', WEBHOOK_RETRY_SCHEDULE_MS: '60000,172800000' }), /must outlast the last retry/);
    assert.equal(loadConfig({ WEBHOOK_RETENTION_DAYS: '3', WEBHOOK_RETRY_SCHEDULE_MS: '60000,172800000' }).webhooks.retentionDays, 3);
  });
});
