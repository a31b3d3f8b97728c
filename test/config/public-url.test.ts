import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalPublicUrl, loadConfig } from '../../src/config.ts';

describe('PUBLIC_URL', () => {
  it('is written as the URL parser writes it, so a redirect_uri built from it matches one built by parsing it', () => {
    assert.equal(canonicalPublicUrl('http://OpenLean-Pages-10M.bench'), 'http://openlean-pages-10m.bench');
    assert.equal(canonicalPublicUrl('https://API.Example.com:443/'), 'https://api.example.com');
    assert.equal(canonicalPublicUrl('https://example.com/openlean/'), 'https://example.com/openlean');
    assert.equal(canonicalPublicUrl('http://localhost:3000'), 'http://localhost:3000');
    const config = loadConfig({ PUBLIC_URL: 'https://Bank-Data.Example.COM/' });
    assert.equal(config.publicUrl, 'https://bank-data.example.com');
    assert.equal(`${config.publicUrl}/link/callback`, new URL(`${config.publicUrl}/link/callback`).href);
  });

  it('refuses what is no absolute http(s) URL, or carries a query or fragment', () => {
    for (const bad of ['openlean.example.com', 'ftp://example.com', 'https://example.com/?x=1', 'https://example.com/#top']) {
      assert.throws(() => loadConfig({ PUBLIC_URL: bad }), /PUBLIC_URL must be/, bad);
    }
  });
});
