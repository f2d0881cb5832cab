import { API_VERSIONS, LATEST_SHAPE } from '../api-versions.js';

/** What a route module adds to the OpenAPI document: its paths and the schemas they refer to. */
export interface ApiDescription {
  readonly paths: Readonly<Record<string, object>>;
  readonly schemas: Readonly<Record<string, unknown>>;
}

/** The document describes the newest wire shape. */
export const LATEST = LATEST_SHAPE;

export const json = (schema: object) => ({ 'application/json': { schema } });
export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

export const errors = {
  default: {
    description: 'An ACS error: `{ error: { code, message, target?, details? } }`, code also in `x-ms-error-code`.',
    content: json(ref('CommunicationErrorResponse')),
  },
};

export const apiVersion = { name: 'api-version', in: 'query', required: true, schema: { type: 'string', enum: [...API_VERSIONS] } };
export const roomId = { name: 'roomId', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9]{16,18}$' } };
export const paging = [
  { name: 'maxpagesize', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 1000 } },
  {
    name: 'nextLink',
    in: 'query',
    required: false,
    description: 'The continuation token of a previous page (follow `nextLink` as it is).',
    schema: { type: 'string' },
  },
];

/** A page of `item`s: `value` and, when another page follows, its absolute `nextLink`. */
export const collectionOf = (item: string) => ({
  type: 'object',
  required: ['value'],
  properties: { value: { type: 'array', items: ref(item) }, nextLink: { type: 'string' } },
});

/** Ajv's typed schemas list `required: []`, which OpenAPI 3.0 forbids (minItems 1); the document leaves them out. */
export function withoutEmptyRequired(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutEmptyRequired);
  if (schema === null || typeof schema !== 'object') return schema;
  return Object.fromEntries(
    Object.entries(schema)
      .filter(([key, value]) => !(key === 'required' && Array.isArray(value) && value.length === 0))
      .map(([key, value]) => [key, withoutEmptyRequired(value)]),
  );
}
