import type { Readable, Writable } from 'node:stream';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { ErrorCode as McpErrorCode, isJSONRPCRequest, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

export interface StdioBridgeOptions {
  /** The running openlean server's base URL (`OPENLEAN_URL`). */
  url: string;
  /** An application's credentials (`OPENLEAN_CLIENT_ID`, `OPENLEAN_CLIENT_SECRET`); the token asked for has scope `api`. */
  clientId: string;
  clientSecret: string;
  stdin?: Readable;
  stdout?: Writable;
  /** Where failures the agent cannot see are reported (stderr). */
  report?: (line: string) => void;
}

/** Renew the token this long before it expires, so a call never goes out with one about to lapse. */
const RENEW_BEFORE_MS = 60_000;

/**
 * Access tokens by the client-credentials grant (`POST /oauth2/token`, `client_secret_post`,
 * scope `api`), kept until a minute before they expire. Throws with the server's RFC 6749 error
 * when it refuses the credentials.
 */
export function tokenSource(url: string, clientId: string, clientSecret: string): { get(): Promise<string>; drop(): void } {
  let current: { token: string; renewAt: number } | undefined;
  return {
    async get() {
      if (current && Date.now() < current.renewAt) return current.token;
      const res = await fetch(new URL('/oauth2/token', url), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope: 'api' }),
      });
      const body = (await res.json().catch(() => ({}))) as { access_token?: string; expires_in?: number; error?: string; error_description?: string };
      if (!res.ok || !body.access_token || !body.expires_in) {
        throw new Error(`openlean at ${url} refused the credentials (HTTP ${res.status}${body.error ? `, ${body.error}: ${body.error_description}` : ''})`);
      }
      current = { token: body.access_token, renewAt: Date.now() + Math.max(0, body.expires_in * 1000 - RENEW_BEFORE_MS) };
      return current.token;
    },
    drop() {
      current = undefined;
    },
  };
}

/**
 * `openlean mcp`: the MCP server on stdin/stdout for an agent that starts it as a subprocess. It
 * relays every message to the running server's `/mcp` with the application's token and relays the
 * answers back, so the tools run where the REST routes run, under the same tenancy, consent checks
 * and rate limits (docs/decisions/018). A message the server could not be reached for is answered
 * with a JSON-RPC error naming why. Resolves once stdin has ended and every request read from it
 * has been answered, so `printf '…' | openlean mcp` prints its answers instead of losing them.
 */
export async function runStdioBridge(options: StdioBridgeOptions): Promise<void> {
  const report = options.report ?? ((line: string) => process.stderr.write(`${line}\n`));
  const tokens = tokenSource(options.url, options.clientId, options.clientSecret);
  // A token revoked or expired early (a signing key rotated away): one retry with a new one.
  const authorized = async (input: string | URL, init?: RequestInit): Promise<Response> => {
    const send = async () => {
      const headers = new Headers(init?.headers);
      headers.set('authorization', `Bearer ${await tokens.get()}`);
      return fetch(input, { ...init, headers });
    };
    const first = await send();
    if (first.status !== 401) return first;
    tokens.drop();
    return send();
  };

  const upstream = new StreamableHTTPClientTransport(new URL('/mcp', options.url), { fetch: authorized });
  const local = new StdioServerTransport(options.stdin, options.stdout);
  const initializing = new Set<string | number>();
  // Requests read from stdin and not yet answered: stdin may end before the server has answered them.
  const unanswered = new Set<string | number>();
  let stdinEnded = false;
  const closeWhenDrained = () => {
    if (stdinEnded && unanswered.size === 0) void local.close();
  };
  const answer = async (message: JSONRPCMessage) => {
    await local.send(message);
    if (('result' in message || 'error' in message) && 'id' in message && unanswered.delete(message.id as string | number)) closeWhenDrained();
  };

  upstream.onmessage = (message: JSONRPCMessage) => {
    // The version agreed on rides on every later request (the Streamable HTTP transport's header).
    if ('id' in message && initializing.delete(message.id as string | number) && 'result' in message) {
      const version = (message.result as { protocolVersion?: unknown }).protocolVersion;
      if (typeof version === 'string') upstream.setProtocolVersion(version);
    }
    void answer(message);
  };
  upstream.onerror = (err) => report(`openlean mcp: ${err.message}`);

  local.onmessage = (message: JSONRPCMessage) => {
    if (isJSONRPCRequest(message)) unanswered.add(message.id);
    if (isJSONRPCRequest(message) && message.method === 'initialize') initializing.add(message.id);
    upstream.send(message).catch((err: Error) => {
      report(`openlean mcp: ${err.message}`);
      if (isJSONRPCRequest(message)) {
        void answer({ jsonrpc: '2.0', id: message.id, error: { code: McpErrorCode.InternalError, message: `openlean could not be reached or refused the call: ${err.message}` } });
      }
    });
  };

  const closed = new Promise<void>((resolve) => {
    local.onclose = () => resolve();
  });
  await upstream.start();
  await local.start();
  (options.stdin ?? process.stdin).once('end', () => {
    stdinEnded = true;
    closeWhenDrained();
  });
  await closed;
  await upstream.close();
}
