import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { DOCUMENT_FILE, generatedFiles, publishedDocument, TYPES_FILE } from '../../clients/typescript/scripts/generate.ts';
import { nextLink, nextPageQuery } from '../../clients/typescript/src/index.ts';
import { describeDialects } from '../helpers/dialects.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * The client's checked-in document and types are what `npm run gen:client` makes from the server
 * as it is now: a route or schema changed without regenerating fails here, in CI.
 */
describeDialects('TypeScript client: generated from the current server', (dialect) => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ dialect });
  });
  after(() => s.close());

  it('the checked-in openapi.json and openlean.d.ts are what gen:client writes now (run npm run gen:client if not)', async () => {
    const files = await generatedFiles(await publishedDocument());
    assert.equal(fs.readFileSync(DOCUMENT_FILE, 'utf8'), files.document, 'clients/typescript/openapi.json is stale: npm run gen:client');
    assert.equal(fs.readFileSync(TYPES_FILE, 'utf8'), files.types, 'clients/typescript/src/generated/openlean.d.ts is stale: npm run gen:client');
  });

  it('is the document a running server publishes, whatever its mode (but its address)', async () => {
    const served = (await s.request('/openapi.json', { unchecked: true })).body;
    const checkedIn = JSON.parse(fs.readFileSync(DOCUMENT_FILE, 'utf8'));
    assert.deepEqual({ ...served, servers: null }, { ...checkedIn, servers: null });
    assert.deepEqual(checkedIn.servers, [{ url: 'http://localhost:3000' }]);
  });
});

describe('nextLink', () => {
  it('finds rel="next" among several links, in a rel list, or unquoted', () => {
    assert.equal(nextLink('</a?cursor=x>; rel="next"'), '/a?cursor=x');
    assert.equal(nextLink('</first>; rel="first", </b?page=2&size=5>; rel="next"'), '/b?page=2&size=5');
    assert.equal(nextLink('</c>; title="x"; rel="prev next"'), '/c');
    assert.equal(nextLink('</d>; rel=next'), '/d');
  });

  it('answers null for the last page', () => {
    assert.equal(nextLink(null), null);
    assert.equal(nextLink(''), null);
    assert.equal(nextLink('</p>; rel="prev"'), null);
  });

  it('nextPageQuery: the query to ask the same operation for the next page', () => {
    assert.deepEqual(nextPageQuery('</data/v2/accounts/a/transactions?size=5&cursor=eyJ0Ijo%3D>; rel="next"'), { size: '5', cursor: 'eyJ0Ijo=' });
    assert.equal(nextPageQuery(undefined), null);
  });
});
