import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import YAML from 'yaml';

const SPEC_FILE = path.resolve(import.meta.dirname, '../../spec/vendor/obie-account-info-openapi-v3.1.11.yaml');
const SPEC_ID = 'urn:openlean:obie-aisp-3-1-11';

interface Operation {
  responses: Record<string, { $ref?: string }>;
}
interface Spec {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown>; responses: Record<string, { content?: Record<string, { schema: { $ref: string } }> }> };
}

/** OpenAPI 3.0 `nullable: true` has no JSON Schema equivalent keyword: it becomes a union with null. */
function withNullable(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withNullable);
  if (!node || typeof node !== 'object') return node;
  const { nullable, ...rest } = node as Record<string, unknown>;
  const out = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, withNullable(v)]));
  return nullable === true ? { anyOf: [out, { type: 'null' }] } : out;
}

/**
 * Validates bodies against the vendored OBIE v3.1.11 Account and Transaction API document, with
 * its `#/components/...` references resolved in place. `extraConsentStatuses` widens the consent
 * status enum for the statuses the sandbox adds on purpose (docs/sandbox-banks.md).
 */
export class ObieSpec {
  readonly #spec: Spec;
  readonly #ajv = new Ajv({ strict: false, allErrors: true });
  readonly #compiled = new Map<string, ValidateFunction>();

  constructor(extraConsentStatuses: string[] = []) {
    this.#spec = withNullable(YAML.parse(fs.readFileSync(SPEC_FILE, 'utf8'))) as Spec;
    (addFormats as unknown as (ajv: Ajv) => void)(this.#ajv);
    const components = structuredClone(this.#spec.components);
    const consent = components.schemas.OBReadConsentResponse1 as { properties: { Data: { properties: { Status: { enum: string[] } } } } };
    consent.properties.Data.properties.Status.enum.push(...extraConsentStatuses);
    this.#ajv.addSchema({ $id: SPEC_ID, components });
  }

  /** Asserts `body` is a valid `components/schemas/<name>`. */
  check(name: string, body: unknown): void {
    let validate = this.#compiled.get(name);
    if (!validate) {
      validate = this.#ajv.compile({ $ref: `${SPEC_ID}#/components/schemas/${name}` });
      this.#compiled.set(name, validate);
    }
    assert.ok(validate(body), `not a valid ${name}: ${this.#ajv.errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 600)}`);
  }

  /**
   * Asserts the response is what the spec documents for the operation: its schema for the
   * status when the spec gives one, `OBErrorResponse1` for any other error with a body.
   */
  response(method: string, template: string, status: number, body: unknown): void {
    const operation = this.#spec.paths[template]?.[method.toLowerCase()];
    assert.ok(operation, `${method} ${template} is not in the OBIE spec`);
    const ref = operation.responses[String(status)]?.$ref;
    const schema = ref ? this.#spec.components.responses[ref.split('/').pop()!]?.content?.['application/json']?.schema.$ref : undefined;
    if (schema) return this.check(schema.split('/').pop()!, body);
    if (status >= 400 && body !== undefined) return this.check('OBErrorResponse1', body);
    assert.equal(body, undefined, `${method} ${template} ${status} has no documented body`);
  }
}

export function tempDir(prefix = 'sandbox-bank-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

