import assert from 'node:assert/strict';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

interface OpenApiDocument {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>>;
  components: { schemas: Record<string, unknown> };
}

const DOC_ID = 'urn:openlean:openapi';

/**
 * Validates responses against an OpenAPI 3.1 document: the status must be documented for the
 * operation, and a JSON body must match its schema. Used on every response the HTTP tests receive.
 */
export class OpenApiValidator {
  readonly #routes: Array<{ method: string; pattern: RegExp; template: string }> = [];
  readonly #doc: OpenApiDocument;
  readonly #ajv = new Ajv2020({ strict: false, allErrors: true });
  readonly #compiled = new Map<string, ReturnType<Ajv2020['compile']>>();

  constructor(doc: OpenApiDocument) {
    this.#doc = doc;
    (addFormats as unknown as (ajv: Ajv2020) => void)(this.#ajv);
    this.#ajv.addSchema({ $id: DOC_ID, components: doc.components });
    for (const [template, methods] of Object.entries(doc.paths)) {
      const pattern = new RegExp('^' + template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+') + '$');
      for (const method of Object.keys(methods)) this.#routes.push({ method: method.toUpperCase(), pattern, template });
    }
  }

  /** Throws an assertion error describing the mismatch. */
  check(method: string, url: string, status: number, contentType: string | null, body: unknown): void {
    const path = new URL(url).pathname;
    const route = this.#routes.find((r) => r.method === method.toUpperCase() && r.pattern.test(path));
    assert.ok(route, `${method} ${path} is not in the published OpenAPI document`);
    const operation = this.#doc.paths[route.template]![method.toLowerCase()]!;
    const response = operation.responses[String(status)] ?? operation.responses.default;
    assert.ok(response, `${method} ${route.template} answered ${status}, which its OpenAPI operation does not document`);
    if (!contentType || body === undefined) return;
    const mediaType = contentType.split(';')[0]!.trim();
    const media = response.content?.[mediaType];
    assert.ok(media, `${method} ${route.template} ${status} answered ${mediaType}, which is not documented`);
    const key = `${route.template} ${method} ${status} ${mediaType}`;
    let validate = this.#compiled.get(key);
    if (!validate) {
      const schema = JSON.parse(JSON.stringify(media.schema).replaceAll('"#/components/', `"${DOC_ID}#/components/`));
      validate = this.#ajv.compile(schema);
      this.#compiled.set(key, validate);
    }
    assert.ok(
      validate(body),
      `${method} ${path} ${status} body does not match the published schema: ${this.#ajv.errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 500)}`,
    );
  }
}
