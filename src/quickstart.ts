import type { SandboxCredentials } from './applications/sandbox-app.ts';
import type { Config } from './config.ts';

/** The copy-paste walkthrough `openlean serve` prints on the embedded default. */
export function quickstart(input: { config: Config; credentials: SandboxCredentials; created: boolean; file: string }): string {
  const { config, credentials, created, file } = input;
  const url = config.publicUrl;
  return `
openlean is listening on ${url} (sandbox mode; data in ${config.dataDir})
${created ? 'Created' : 'Using'} the sandbox application; its credentials are in ${file}:
  client_id:     ${credentials.client_id}
  client_secret: ${credentials.client_secret}

API reference: ${url}/docs   OpenAPI: ${url}/openapi.json

Quick start (copy and paste; it runs again as often as you like):
  json() { node -p "JSON.parse(require('fs').readFileSync(0, 'utf8'))$1"; }
  TOKEN=$(curl -s ${url}/oauth2/token -d grant_type=client_credentials -d scope=api \\
    -d client_id=${credentials.client_id} -d client_secret=${credentials.client_secret} | json .access_token)
  CUSTOMER=$(curl -s ${url}/customers/v1 -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\
    -d "{\\"app_user_id\\":\\"user-$(node -p 'crypto.randomUUID()')\\"}" | json .customer_id)
  ENTITY=$(curl -s ${url}/sandbox/v1/entities -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\
    -d "{\\"customer_id\\":\\"$CUSTOMER\\"}" | json .id)
  # The INITIAL refresh fetches the data from the sandbox bank; until it has, reads answer 202 PENDING.
  while curl -s ${url}/data/v2/accounts -H "Authorization: Bearer $TOKEN" -H "entity_id: $ENTITY" | grep -q PENDING; do sleep 0.2; done
  curl -s ${url}/data/v2/accounts -H "Authorization: Bearer $TOKEN" -H "entity_id: $ENTITY"
  ACCOUNT=$(curl -s ${url}/data/v2/accounts -H "Authorization: Bearer $TOKEN" -H "entity_id: $ENTITY" \\
    | json ".find(a => a.type === 'CURRENT').account_id")
  curl -s "${url}/data/v2/accounts/$ACCOUNT/transactions?size=5" -H "Authorization: Bearer $TOKEN" -H "entity_id: $ENTITY"

`;
}
