import { Type } from '@nestjs/common';
import { DECORATORS, generateSchema } from '@nestjs/swagger';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';
import { targetConstructorToSchema } from 'class-validator-jsonschema';
import type { ISchemaConverters } from 'class-validator-jsonschema/build/defaultConverters';
import { ERROR_STATUS } from '../../common/errors/error-code';

/** A JSON Schema (draft 07, the default schema format of AsyncAPI 3) as plain data. */
export type JsonSchema = Record<string, unknown>;

export const SCHEMA_PREFIX = '#/components/schemas/';
export const schemaRef = (name: string): JsonSchema => ({ $ref: `${SCHEMA_PREFIX}${name}` });

/** Converters for the project's own class-validator decorators, keyed by their registered name. */
const CUSTOM_CONVERTERS: ISchemaConverters = {
  isTextContent: (meta: ValidationMetadata) => {
    const [min, max] = meta.constraints as [number, number];
    return {
      type: 'string' as const,
      minLength: min,
      maxLength: max,
      description: `${min} to ${max} Unicode code points after trimming; no control characters except tab, line feed and carriage return`,
    };
  },
};

/**
 * Build the schema of a payload that a class-validator DTO validates. Unknown properties are
 * rejected by the validation pipe, hence additionalProperties: false. Descriptions and
 * examples come from the DTO's @ApiProperty options when it has them.
 */
export function dtoSchema(dto: Type<unknown>): JsonSchema {
  const schema = targetConstructorToSchema(dto, {
    additionalConverters: CUSTOM_CONVERTERS,
    refPointerPrefix: SCHEMA_PREFIX,
  }) as JsonSchema;
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;

  for (const [name, property] of Object.entries(properties)) {
    const documented = Reflect.getMetadata(DECORATORS.API_MODEL_PROPERTIES, dto.prototype, name) as
      { description?: string; example?: unknown } | undefined;
    if (documented?.description && !property.description) property.description = documented.description;
    if (documented?.example !== undefined) property.examples = [documented.example];
  }
  return { title: dto.name, ...schema, type: 'object', properties, additionalProperties: false };
}

/**
 * Add the schemas of a response class, described with @ApiProperty, and of every class it
 * refers to, to `schemas`. @nestjs/swagger generates OpenAPI 3.0 schemas; here `nullable`
 * becomes a JSON Schema type union and `example` becomes `examples`.
 */
export function addViewSchemas(view: Type<unknown>, schemas: Record<string, JsonSchema>): JsonSchema {
  const generated = generateSchema(view).schemas as Record<string, JsonSchema>;
  for (const [name, schema] of Object.entries(generated)) schemas[name] = fromOpenApi(schema) as JsonSchema;
  return schemaRef(view.name);
}

function fromOpenApi(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromOpenApi);
  if (value === null || typeof value !== 'object') return value;

  const { nullable, example, ...rest } = value as JsonSchema;
  const converted: JsonSchema = {};
  for (const [key, child] of Object.entries(rest)) {
    converted[key] = key === 'properties' ? mapValues(child as JsonSchema, fromOpenApi) : fromOpenApi(child);
  }
  if (example !== undefined) converted.examples = [example];
  if (nullable !== true) return converted;
  if (typeof converted.type === 'string') return { ...converted, type: [converted.type, 'null'] };
  return { oneOf: [converted, { type: 'null' }] };
}

const mapValues = (object: JsonSchema, map: (value: unknown) => unknown): JsonSchema =>
  Object.fromEntries(Object.entries(object).map(([key, value]) => [key, map(value)]));

/** Schemas of the error shape that REST bodies and failed acks share. */
export function errorSchemas(): Record<string, JsonSchema> {
  return {
    FieldError: {
      type: 'object',
      required: ['field', 'constraints'],
      properties: {
        field: { type: 'string', description: 'Dotted path of the invalid property' },
        constraints: { type: 'array', items: { type: 'string' } },
      },
    },
    ErrorBody: {
      type: 'object',
      required: ['code', 'error', 'message'],
      properties: {
        code: { type: 'integer', description: 'The HTTP status of the same error over REST' },
        error: { type: 'string', enum: Object.keys(ERROR_STATUS), description: 'Stable error name' },
        message: { type: 'string' },
        details: { type: 'array', items: schemaRef('FieldError'), description: 'One entry per invalid field' },
        retryAfterMs: { type: 'integer', description: 'Set on RATE_LIMITED and SERVICE_UNAVAILABLE' },
        requestId: { type: 'string', description: 'Set on INTERNAL errors, for finding the server log entry' },
      },
    },
  };
}
