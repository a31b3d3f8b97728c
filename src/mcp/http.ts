import Type from 'typebox';
import type { FastifyRequest } from 'fastify';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { Api } from '../api/api.ts';
import type { AppContext } from '../context.ts';
import type { DataReads } from '../api/data/lean-read.ts';
import { ApiError } from '../errors/api-error.ts';
import { buildMcpServer, McpTools } from './server.ts';
import { createTools } from './tools.ts';

/** Where the RFC 9728 protected-resource metadata is served, and what every 401 points at. */
export const RESOURCE_METADATA_PATH = '/.well-known/oauth-protected-resource';

/** RFC 9728 §2 protected-resource metadata. */
const ProtectedResourceMetadata = Type.Object({
  resource: Type.String({ format: 'uri', description: 'The resource identifier: the base URL of the API (its REST routes and `/mcp`)' }),
  authorization_servers: Type.Array(Type.String({ format: 'uri' }), { description: 'Issuers of the tokens accepted: openlean itself (`POST /oauth2/token`)' }),
  scopes_supported: Type.Array(Type.String()),
  bearer_methods_supported: Type.Array(Type.String()),
  resource_name: Type.String(),
  resource_documentation: Type.String({ format: 'uri' }),
});

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The host names `/mcp` answers to (DNS-rebinding protection, as the MCP SDK recommends for
 * servers it does not host): `PUBLIC_URL`'s, those in `MCP_ALLOWED_HOSTS`, and the loopback names
 * when `PUBLIC_URL` is one of them (a developer's machine).
 */
export function allowedHosts(publicUrl: string, extra: readonly string[]): Set<string> {
  const own = new URL(publicUrl).hostname;
  return new Set([own, ...extra, ...(LOOPBACK.has(own) ? LOOPBACK : [])]);
}

function hostnameOf(value: string, withScheme: boolean): string | null {
  try {
    return new URL(withScheme ? value : `http://${value}`).hostname;
  } catch {
    return null;
  }
}

/**
 * 403 `HOST_NOT_ALLOWED` unless the `Host` header, and the `Origin` header when a browser sent one,
 * name an allowed host: a page whose name was rebound to this server's address sends its own.
 */
function assertAllowedHost(request: FastifyRequest, allowed: Set<string>): void {
  const host = request.headers.host === undefined ? null : hostnameOf(request.headers.host, false);
  if (host === null || !allowed.has(host)) throw new ApiError('HOST_NOT_ALLOWED', `The Host header ${JSON.stringify(request.headers.host ?? '')} is not one /mcp answers to (PUBLIC_URL, MCP_ALLOWED_HOSTS)`);
  const origin = request.headers.origin;
  if (origin !== undefined && (origin === 'null' || !allowed.has(hostnameOf(origin, true) ?? ''))) {
    throw new ApiError('HOST_NOT_ALLOWED', `Requests from the origin ${JSON.stringify(origin)} are not allowed`);
  }
}

/** Hop-by-hop and framing headers, which describe the HTTP message Fastify already read, not the MCP request. */
const NOT_FORWARDED = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive', 'upgrade']);

/** The request as the SDK's web-standard transport takes it; the JSON body, already parsed by Fastify, goes beside it. */
function webRequest(request: FastifyRequest, baseUrl: string): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || NOT_FORWARDED.has(name)) continue;
    headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  return new Request(new URL(request.url, baseUrl), { method: request.method, headers });
}

/**
 * The MCP server over Streamable HTTP at `/mcp`, an OAuth 2.0 protected resource (RFC 9728):
 * openlean's own bearer tokens with scope `api`, checked and rate-limited by the same guard as
 * every REST route (src/api/auth-guard.ts), so a 401 points at the metadata
 * (src/api/error-handler.ts). Stateless: each POST builds a server for its caller and answers in
 * JSON, so any API process can serve any request; there is no session and no server-sent stream
 * (GET and DELETE answer 405, which MCP clients expect of such a server).
 */
export function registerMcp(app: Api, ctx: AppContext, reads: DataReads): void {
  const tools = new McpTools(createTools(ctx, reads));
  const hosts = () => allowedHosts(ctx.publicUrl(), ctx.config.mcpAllowedHosts);

  app.get(
    RESOURCE_METADATA_PATH,
    {
      schema: {
        operationId: 'getProtectedResourceMetadata',
        tags: ['Auth'],
        summary: 'OAuth 2.0 protected-resource metadata (RFC 9728)',
        description: 'Where an MCP client (or any OAuth client) learns which tokens the API and `/mcp` accept, and where to get them.',
        response: { 200: ProtectedResourceMetadata },
      },
    },
    async (_request, reply) => {
      const base = ctx.publicUrl();
      return reply.header('cache-control', 'public, max-age=300').send({
        resource: base,
        authorization_servers: [base],
        scopes_supported: ['api'],
        bearer_methods_supported: ['header'],
        resource_name: 'openlean',
        resource_documentation: `${base}/docs`,
      });
    },
  );

  app.route({
    method: ['GET', 'POST', 'DELETE'],
    url: '/mcp',
    // JSON-RPC is not described by the OpenAPI document; README documents the endpoint.
    schema: { hide: true },
    config: { auth: 'api' },
    handler: async (request, reply) => {
      assertAllowedHost(request, hosts());
      if (request.method !== 'POST') {
        throw new ApiError('METHOD_NOT_ALLOWED', 'This MCP server is stateless: send JSON-RPC messages with POST; it opens no server-sent stream and keeps no session', {
          headers: { allow: 'POST' },
        });
      }
      const server = buildMcpServer(tools, { principal: request.principal, requestId: request.id }, request.log, ctx.now, (event) => ctx.audit.record(event));
      const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
      await server.connect(transport);
      try {
        const answer = await transport.handleRequest(webRequest(request, ctx.publicUrl()), { parsedBody: request.body });
        const body = await answer.text();
        answer.headers.forEach((value, name) => void reply.header(name, value));
        return reply.code(answer.status).send(body.length > 0 ? body : undefined);
      } finally {
        await server.close();
      }
    },
  });
}
