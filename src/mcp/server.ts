import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
// The low-level Server: McpServer.registerTool takes zod schemas only, and the tools' schemas are
// the REST routes' TypeBox ones, which are JSON Schema already (docs/decisions/018).
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ErrorCode as McpErrorCode, ListToolsRequestSchema, McpError, type CallToolResult, type Tool as McpTool } from '@modelcontextprotocol/sdk/types.js';
import { describeIssue, type ValidationIssue } from '../api/error-handler.ts';
import { pendingRetryAfter } from '../api/data/entity-access.ts';
import { ApiError } from '../errors/api-error.ts';
import { problem } from '../errors/problem.ts';
import { toolSchema } from './schemas.ts';
import type { Caller, Tool } from './tools.ts';
import { dataReadEvent, type AuditEventInput } from '../audit/recorder.ts';

export const SERVER_INFO = { name: 'openlean', version: '0.1.0' } as const;

const INSTRUCTIONS =
  'openlean serves bank data its customers consented to share. Find the customer (list_customers) and the entity, their connection to a bank ' +
  '(list_entities); check how fresh its data is (list_refreshes: the newest FINISHED refresh, or the entity\'s last_synced_at); refresh only when ' +
  'that is too old for the question (refresh_entity, then get_refresh until FINISHED or FAILED: manual refreshes are limited per day); then read ' +
  '(get_accounts first: the per-account tools take its account_id). Amounts are exact decimals in the currency\'s precision. Errors carry a stable ' +
  'code first (NOT_FOUND, PERMISSION_NOT_GRANTED, CONSENT_EXPIRED, CONSENT_REVOKED, REFRESH_LIMIT_REACHED, ...).';

/** A tool as declared to clients, and the validator of its arguments. */
interface Prepared {
  tool: Tool;
  declared: McpTool;
  validate: ValidateFunction;
}

/** The tools' declarations and argument validators, computed once per process: servers are built per request. */
export class McpTools {
  private readonly prepared: Map<string, Prepared>;

  constructor(tools: Tool[]) {
    // JSON arguments are typed already: never coerced, as a JSON body is not (src/api/validation.ts).
    const ajv = new Ajv({ strict: false, coerceTypes: false, useDefaults: true, allErrors: false });
    (addFormats as unknown as (a: Ajv) => void)(ajv);
    this.prepared = new Map(
      tools.map((tool) => {
        const inputSchema = toolSchema(tool.input);
        const declared: McpTool = {
          name: tool.name,
          title: tool.title,
          description: tool.description,
          inputSchema,
          outputSchema: toolSchema(tool.output),
          annotations: tool.annotations,
        };
        return [tool.name, { tool, declared, validate: ajv.compile(inputSchema) }];
      }),
    );
  }

  list(): McpTool[] {
    return [...this.prepared.values()].map((p) => p.declared);
  }

  get(name: string): Prepared | undefined {
    return this.prepared.get(name);
  }
}

/** A tool error as MCP carries it: `isError`, the problem's code first in the text, and the whole problem in `_meta`. */
function problemResult(err: ApiError, requestId: string): CallToolResult {
  const body = problem(err.code, err.message, requestId, err.param);
  const retryAfter = err.headers['retry-after'];
  return {
    isError: true,
    content: [{ type: 'text', text: `${body.code}: ${body.detail}${retryAfter ? ` (retry after ${retryAfter} s)` : ''}` }],
    _meta: { 'openlean/problem': body, ...(retryAfter ? { 'openlean/retry_after': Number(retryAfter) } : {}) },
  };
}

/**
 * The MCP server one caller talks to: `tools/list` and `tools/call` over `tools`, each call run as
 * `caller`. Arguments that fail the tool's schema, and every `ApiError`, are tool errors (isError)
 * carrying the problem+json code; an unknown tool is a protocol error (-32602); anything else is
 * INTERNAL_ERROR with its cause only in the log.
 */
export function buildMcpServer(
  tools: McpTools,
  caller: Caller,
  log: { error(fields: object, message: string): void },
  now: () => Date,
  record: (event: AuditEventInput) => void = () => {},
): Server {
  const server = new Server(SERVER_INFO, { capabilities: { tools: { listChanged: false } }, instructions: INSTRUCTIONS });
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: tools.list() }));
  server.setRequestHandler(CallToolRequestSchema, async (request): Promise<CallToolResult> => {
    const prepared = tools.get(request.params.name);
    if (!prepared) throw new McpError(McpErrorCode.InvalidParams, `Unknown tool: ${request.params.name}`);
    const given = structuredClone(request.params.arguments ?? {});
    const result = await callTool(prepared, given, caller, log, now);
    if (prepared.tool.audit) record(auditEvent(prepared.tool.name, prepared.tool.audit.resource, given, caller, result));
    return result;
  });
  return server;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The audit record of one call of a tool that reads bank data, as the REST read's would be
 * (src/api/audit-trail.ts): the status is the one the REST read would have answered (200, 202
 * while the first refresh runs, or the problem's), the operation `mcp:<tool>`.
 */
export function auditEvent(tool: string, resource: string, given: Record<string, unknown>, caller: Caller, result: CallToolResult): AuditEventInput {
  const problem = result._meta?.['openlean/problem'] as { status: number; code: string } | undefined;
  const pending = result._meta?.['openlean/pending'] !== undefined;
  const status = problem ? problem.status : pending ? 202 : 200;
  const text = (value: unknown, max: number) => (typeof value === 'string' && value.length <= max ? value : null);
  const entityId = text(given.entity_id, 36);
  return dataReadEvent({
    appId: caller.principal.appId,
    subject: caller.principal.clientId,
    requestId: caller.requestId,
    entityId: entityId !== null && UUID.test(entityId) ? entityId.toLowerCase() : null,
    operation: `mcp:${tool}`,
    resource,
    accountId: text(given.account_id, 64),
    status,
    errorCode: problem?.code ?? null,
  });
}

/** Runs one tool call; every failure is a tool result, never a throw (but an unknown tool, above). */
async function callTool(prepared: Prepared, given: Record<string, unknown>, caller: Caller, log: { error(fields: object, message: string): void }, now: () => Date): Promise<CallToolResult> {
  try {
    if (!prepared.validate(given)) {
      const issue = describeIssue('argument', prepared.validate.errors![0] as ValidationIssue);
      throw new ApiError(issue.code, issue.detail, { param: issue.param });
    }
    const answer = await prepared.tool.run(given, caller);
    if ('pending' in answer) {
      const refresh = answer.pending;
      const retryAfter = pendingRetryAfter(refresh, now());
      return {
        isError: true,
        content: [{ type: 'text', text: `PENDING: the entity's first refresh ${refresh.id} is ${refresh.status}; there is no data yet. Wait for it with get_refresh (or retry in ${retryAfter} s)` }],
        _meta: { 'openlean/pending': { status: 'PENDING', refresh_id: refresh.id, retry_after: retryAfter } },
      };
    }
    return { content: [{ type: 'text', text: answer.text }], structuredContent: answer.structured };
  } catch (err) {
    if (err instanceof ApiError) return problemResult(err, caller.requestId);
    log.error({ err, tool: prepared.tool.name, request_id: caller.requestId }, 'MCP tool failed');
    return problemResult(new ApiError('INTERNAL_ERROR', 'The server could not complete the request'), caller.requestId);
  }
}
