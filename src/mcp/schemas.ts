import type { TSchema } from 'typebox';
import { Bank } from '../api/banks/list-banks.ts';
import { Customer } from '../api/customers/customer.schema.ts';
import { Entity } from '../api/entities/entity.schema.ts';
import { Refresh } from '../api/refreshes/refresh.schema.ts';
import { BANK_DATA_SCHEMAS } from '../domain/bank-data.ts';

/** JSON Schema as an MCP tool declares it (`inputSchema`, `outputSchema`): a plain object, `type: "object"` at the root. */
export type JsonSchemaObject = { type: 'object'; [key: string]: unknown };

/** The named schemas the REST routes refer to by `$ref` (`ref('Account')`), the ones src/app.ts registers. */
const NAMED: ReadonlyMap<string, TSchema> = new Map(
  [...BANK_DATA_SCHEMAS, Customer, Entity, Bank, Refresh].map((s) => [(s as unknown as { $id: string }).$id, s]),
);

function inline(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(inline);
  if (node === null || typeof node !== 'object') return node;
  const ref = (node as { $ref?: unknown }).$ref;
  if (typeof ref === 'string') {
    const named = NAMED.get(ref.replace(/#$/, ''));
    if (!named) throw new Error(`no schema named ${ref} to inline`);
    return inline(named);
  }
  // `$id` dropped: a schema inlined twice (sync's added and modified) must not declare one id twice.
  return Object.fromEntries(Object.entries(node).filter(([k]) => k !== '$id').map(([k, v]) => [k, inline(v)]));
}

/**
 * The TypeBox schema a REST route publishes, as a self-contained JSON Schema object for an MCP
 * tool: the `$ref`s to named components (`Account#`) replaced by the schemas themselves, since an
 * MCP client validates each tool's schema on its own, without the OpenAPI document's components.
 * TypeBox schemas are JSON Schema already; this only resolves the references (the same objects, not copies of their definitions).
 */
export function toolSchema(schema: TSchema): JsonSchemaObject {
  const json = inline(JSON.parse(JSON.stringify(schema))) as JsonSchemaObject;
  if (json.type !== 'object') throw new Error('an MCP tool schema must be an object schema');
  return json;
}
