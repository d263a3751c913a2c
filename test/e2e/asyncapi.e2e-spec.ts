import { Type } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { GATEWAY_METADATA, MESSAGE_METADATA, PARAM_ARGS_METADATA } from '@nestjs/websockets/constants';
import {
  getMetadataStorage,
  IS_BOOLEAN,
  IS_EMAIL,
  IS_IN,
  IS_INT,
  IS_LENGTH,
  IS_NUMBER,
  IS_STRING,
  IS_UUID,
  MATCHES,
  MAX_LENGTH,
  MIN_LENGTH,
  ValidationTypes,
} from 'class-validator';
import request from 'supertest';
import { startApp, TestApp } from '../support/app';

type Node = Record<string, any>;

interface HandledEvent {
  event: string;
  gateway: string;
  /** The declared type of the @MessageBody() parameter. */
  payload?: Type<unknown>;
}

/** Index of the @MessageBody() parameter in Nest's route-argument keys, "<WsParamtype.PAYLOAD>:<index>". */
const PAYLOAD_KEY = /^3:/;

/** Every @SubscribeMessage handler of every gateway the running application registered. */
function handledEvents(app: TestApp): HandledEvent[] {
  const metatypes = new Set<Type<unknown>>();
  for (const module of app.app.get(ModulesContainer).values()) {
    for (const wrapper of module.providers.values()) {
      const metatype = wrapper.metatype as Type<unknown> | null;
      if (metatype && Reflect.getMetadata(GATEWAY_METADATA, metatype)) metatypes.add(metatype);
    }
  }

  const handled: HandledEvent[] = [];
  for (const gateway of metatypes) {
    for (const methodName of Object.getOwnPropertyNames(gateway.prototype)) {
      const event = Reflect.getMetadata(MESSAGE_METADATA, gateway.prototype[methodName]);
      if (typeof event !== 'string') continue;
      const args: Record<string, { index: number }> = Reflect.getMetadata(PARAM_ARGS_METADATA, gateway, methodName) ?? {};
      const payloadKey = Object.keys(args).find((key) => PAYLOAD_KEY.test(key));
      const types: Type<unknown>[] = Reflect.getMetadata('design:paramtypes', gateway.prototype, methodName) ?? [];
      handled.push({ event, gateway: gateway.name, payload: payloadKey ? types[args[payloadKey].index] : undefined });
    }
  }
  return handled;
}

function resolve(document: Node, node: Node | undefined): Node | undefined {
  let current = node;
  while (current && typeof current.$ref === 'string') {
    current = current.$ref
      .slice(2)
      .split('/')
      .reduce((parent: Node | undefined, key: string) => parent?.[key], document);
  }
  return current;
}

/** Socket.IO event name → message of each documented operation with that action. */
function documentedMessages(document: Node, action: 'send' | 'receive'): Map<string, Node> {
  const messages = new Map<string, Node>();
  for (const operation of Object.values<Node>(document.operations)) {
    if (operation.action !== action) continue;
    const message = resolve(document, operation.messages[0])!;
    messages.set(message.name, message);
  }
  return messages;
}

/** Resolve the object schema of a payload, unwrapping the `oneOf: [schema, null]` of an optional payload. */
function payloadSchema(document: Node, message: Node): Node | undefined {
  const payload = message.payload?.oneOf ? message.payload.oneOf.find((option: Node) => option.type !== 'null') : message.payload;
  return resolve(document, payload);
}

/** JSON Schema type implied by each class-validator decorator the DTOs use. */
const TYPE_OF_VALIDATOR: Record<string, string> = {
  [IS_STRING]: 'string',
  [IS_UUID]: 'string',
  [IS_EMAIL]: 'string',
  [MATCHES]: 'string',
  [IS_LENGTH]: 'string',
  [MAX_LENGTH]: 'string',
  [MIN_LENGTH]: 'string',
  isTextContent: 'string',
  [IS_INT]: 'integer',
  [IS_NUMBER]: 'number',
  [IS_BOOLEAN]: 'boolean',
};

/** Differences between a payload schema and the class-validator metadata of the DTO that validates it. */
function schemaProblems(dto: Type<unknown>, schema: Node | undefined): string[] {
  if (!schema) return [`${dto.name}: no payload schema`];
  const storage = getMetadataStorage();
  const byProperty = new Map<string, { names: string[]; constraints: unknown[][]; optional: boolean }>();
  for (const meta of storage.getTargetValidationMetadatas(dto, '', true, false)) {
    const name = meta.name ?? storage.getTargetValidatorConstraints(meta.constraintCls)[0]?.name ?? meta.type;
    const entry = byProperty.get(meta.propertyName) ?? { names: [], constraints: [], optional: false };
    entry.names.push(name);
    entry.constraints.push(meta.constraints ?? []);
    // @IsOptional and @ValidateIf both make a property conditional, so it is not required.
    entry.optional ||= meta.type === ValidationTypes.CONDITIONAL_VALIDATION;
    byProperty.set(meta.propertyName, entry);
  }

  const problems: string[] = [];
  const documented = Object.keys(schema.properties ?? {}).sort();
  const validated = [...byProperty.keys()].sort();
  if (documented.join() !== validated.join()) problems.push(`${dto.name}: properties ${documented} != validated ${validated}`);

  const required = validated.filter((property) => !byProperty.get(property)!.optional);
  if ([...(schema.required ?? [])].sort().join() !== required.join()) {
    problems.push(`${dto.name}: required ${schema.required ?? []} != validated ${required}`);
  }
  if (schema.additionalProperties !== false) problems.push(`${dto.name}: additionalProperties is not false`);

  for (const [property, { names, constraints }] of byProperty) {
    const propertySchema: Node = schema.properties?.[property] ?? {};
    const isIn = names.indexOf(IS_IN);
    if (isIn >= 0) {
      const allowed = constraints[isIn][0] as unknown[];
      if (JSON.stringify(propertySchema.enum) !== JSON.stringify(allowed)) {
        problems.push(`${dto.name}.${property}: enum ${JSON.stringify(propertySchema.enum)} != ${JSON.stringify(allowed)}`);
      }
      continue;
    }
    const types = new Set(names.map((name) => TYPE_OF_VALIDATOR[name]).filter(Boolean));
    // Conditional and range decorators (isOptional, min, max) imply no type.
    if (types.size !== 1) {
      problems.push(`${dto.name}.${property}: cannot tell the type from ${names}; extend TYPE_OF_VALIDATOR`);
    } else if (propertySchema.type !== [...types][0]) {
      problems.push(`${dto.name}.${property}: type ${propertySchema.type} != validated ${[...types][0]}`);
    }
  }
  return problems;
}

describe('AsyncAPI document', () => {
  let app: TestApp;
  let document: Node;

  beforeAll(async () => {
    app = await startApp();
    document = (await request(app.url).get('/docs/socket.json')).body;
  });

  afterAll(async () => {
    await app.close();
  });

  it('is served as AsyncAPI 3 JSON outside /api', async () => {
    const response = await request(app.url).get('/docs/socket.json');
    const prefixed = await request(app.url).get('/api/docs/socket.json');

    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.body.asyncapi).toBe('3.0.0');
    expect(response.body.servers.relay).toMatchObject({ protocol: 'ws', pathname: '/ws', host: new URL(app.url).host });
    expect(prefixed.status).toBe(404);
  });

  it('documents every event the gateway handles', () => {
    const documented = documentedMessages(document, 'receive');
    const undocumented = handledEvents(app).filter(({ event }) => !documented.has(event));

    expect(undocumented).toEqual([]);
  });

  it('documents no client event the gateway lacks', () => {
    const handled = new Set(handledEvents(app).map(({ event }) => event));
    const unhandled = [...documentedMessages(document, 'receive').keys()].filter((event) => !handled.has(event));

    expect(unhandled).toEqual([]);
  });

  it('matches each payload schema to its DTO', () => {
    const documented = documentedMessages(document, 'receive');
    const problems: string[] = [];
    for (const { event, payload } of handledEvents(app)) {
      const message = documented.get(event);
      if (!payload || !message) continue;
      problems.push(...schemaProblems(payload, payloadSchema(document, message)).map((problem) => `${event}: ${problem}`));
    }

    expect(problems).toEqual([]);
  });

  it('detects a payload schema that drifted', () => {
    const typing = handledEvents(app).find(({ event }) => event === 'typing')!;
    const schema = structuredClone(payloadSchema(document, documentedMessages(document, 'receive').get('typing')!)!);
    schema.properties.isTyping.type = 'string';
    schema.required = ['conversationID'];
    delete schema.properties.conversationID;

    const problems = schemaProblems(typing.payload!, schema);

    expect(problems).toEqual([
      expect.stringContaining('properties'),
      expect.stringContaining('required'),
      expect.stringContaining('TypingDto.conversationID: type undefined'),
      expect.stringContaining('TypingDto.isTyping: type string'),
    ]);
  });

  it('answers every client event through an ack with its error names', () => {
    for (const [event, message] of documentedMessages(document, 'receive')) {
      const operation = Object.values<Node>(document.operations).find((candidate) => resolve(document, candidate.messages[0]) === message)!;
      const ack = resolve(document, operation.reply?.messages[0]);
      const [success, failure] = ack?.payload.oneOf ?? [];

      expect({ event, ok: success?.properties.ok }).toEqual({ event, ok: { const: true } });
      expect({ event, ok: failure?.properties.ok }).toEqual({ event, ok: { const: false } });
      expect({ event, codes: failure?.properties.error.allOf[1].properties.error.enum }).toEqual({
        event,
        codes: expect.arrayContaining(['PAYLOAD_TOO_LARGE', 'INTERNAL']),
      });
    }
  });

  it('describes the presence and typing pushes', () => {
    const pushed = documentedMessages(document, 'send');

    expect(payloadSchema(document, pushed.get('presence')!)?.required).toEqual(['userID', 'status', 'lastSeen']);
    expect(payloadSchema(document, pushed.get('typing')!)?.required).toEqual(['conversationID', 'userID', 'isTyping']);
    expect([...pushed.keys()]).toEqual(expect.arrayContaining(['message', 'message:delivered', 'message:read', 'connect_error']));
  });

  it('renders a self-contained HTML page', async () => {
    const response = await request(app.url).get('/docs/socket');

    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    for (const { event } of handledEvents(app)) expect(response.text).toContain(`<code>${event}</code>`);
    expect(response.text).not.toMatch(/<script|<link|src="http/);
  });
});
