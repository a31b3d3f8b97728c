/**
 * The one OAuth client the sandbox banks know: openlean itself. A real ASPSP registers each TPP
 * through dynamic client registration with a software statement and mutual TLS; the sandbox is
 * a mock, so its client is fixed and its secret is public (docs/sandbox-banks.md).
 */
export const SANDBOX_CLIENT = Object.freeze({ client_id: 'openlean', client_secret: 'openlean-sandbox-secret' });
