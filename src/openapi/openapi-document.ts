import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer, Reflector } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { OperationObject, PathItemObject } from '@nestjs/swagger';
import { SCOPES } from '../auth/caller';
import { PUBLIC_KEY, SCOPES_KEY } from '../auth/scopes.decorator';

/** Every tag an operation uses, with its description (Redocly's tag-description rule). */
const TAGS: Array<[name: string, description: string]> = [
  ['consent-flows', "Consent flows at the provider's consent page (NoGi for debt, Altinn for tax-assessment and income): start one, the provider's redirect back to the bank, and the data the flow collected"],
  ['consents', 'The consents this service holds: register (debt at NoGi, accounts here), list, read, revoke, and collect data again with a consent'],
  ['operations', 'Probes, metrics and this document; no bearer token'],
];

/** The extension naming the scopes an operation accepts (the token needs at least one of them). */
export const REQUIRED_SCOPES_EXTENSION = 'x-required-scopes';

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
type HttpMethod = (typeof HTTP_METHODS)[number];

/**
 * The OpenAPI document of the service, built from the controllers' decorators. Scopes and the
 * public/bearer split are read from the same metadata the CallerAuthGuard enforces, so the
 * document cannot claim a scope the guard does not check. Served at /docs/openapi.json and written
 * to openapi/openapi.json by `npm run openapi` (sorted, see sortKeys).
 */
export function buildOpenApiDocument(app: NestFastifyApplication): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('nogi-consent-bff')
    .setDescription(
      "A bank's backend-for-frontend for consent-based customer data in a loan application: debt from Norsk Gjeldsinformasjon (NoGi), " +
        "the tax assessment and income from Skatteetaten (consent at Altinn), and accounts at a partner bank (open banking).\n\n" +
        'Errors are `application/problem+json` (RFC 9457) with a stable `code` (listed per response) and the `requestId`; ' +
        'validation errors add `errors: [{field, message}]`. Every `/v1` route except the callbacks needs a bearer JWT from the ' +
        `bank's identity provider; \`${REQUIRED_SCOPES_EXTENSION}\` on an operation lists the scopes it accepts (any one suffices). ` +
        'A national id never appears in a URL: reads that need one take the `X-National-Id` header. ' +
        "Amounts keep the provider's unit and type, never floats: NoGi integer øre, Skatteetaten integer kroner, the partner bank decimal strings.",
    )
    .setVersion('1')
    .setLicense('Proprietary, internal to the bank', 'https://www.norskgjeld.no/')
    .addServer('/', 'This service, at the base URL the caller knows it by (sandbox mode: http://localhost:3000)')
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: `Bank IdP JWT; scopes in the space-separated \`scope\` claim: ${SCOPES.join(', ')}. A customer token also carries the customer's national id claim and acts for that customer only.`,
      },
      'bearer',
    );
  for (const [name, description] of TAGS) builder.addTag(name, description);
  const document = SwaggerModule.createDocument(app, builder.build(), { operationIdFactory: (controller, method) => `${controller}_${method}` });
  applyRouteAuthorization(app, document);
  dedupeHeaderParameters(document);
  typeNullableUnions(document);
  addResponseHeaders(document);
  addDocsRoutes(document);
  return document;
}

/** Security, scope extension and a sentence in the description, per route, from the guard's metadata. */
function applyRouteAuthorization(app: NestFastifyApplication, document: OpenAPIObject): void {
  const reflector = new Reflector();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (abstract new (...args: never[]) => unknown) | null;
      if (!controller) continue;
      const prototype = controller.prototype as Record<string, unknown>;
      for (const key of Object.getOwnPropertyNames(prototype)) {
        const handler = prototype[key];
        if (key === 'constructor' || typeof handler !== 'function') continue;
        const requestMethod = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (requestMethod === undefined) continue;
        const method = RequestMethod[requestMethod].toLowerCase() as HttpMethod;
        const targets = [handler, controller];
        const isPublic = reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets) === true;
        const scopes = reflector.getAllAndOverride<string[] | undefined>(SCOPES_KEY, targets) ?? [];
        for (const path of routePaths(controller, handler)) {
          const operation = (document.paths[path] as Record<HttpMethod, OperationObject | undefined> | undefined)?.[method];
          if (!operation) continue; // @ApiExcludeEndpoint
          if (isPublic) {
            operation.security = [];
            operation.description = appendSentence(operation.description, 'Public: no bearer token.');
          } else {
            operation.security = [{ bearer: [] }];
            (operation as unknown as Record<string, unknown>)[REQUIRED_SCOPES_EXTENSION] = scopes;
            const needs = scopes.length === 0 ? 'any valid bearer token' : scopes.join(' or ');
            operation.description = appendSentence(operation.description, `Scope: ${needs}.`);
          }
        }
      }
    }
  }
}

/**
 * A handler's `@Headers('x-national-id')` argument documents itself in lower case (and as
 * required); the route's `@ApiHeader({ name: 'X-National-Id' })` says what is true. Header names are
 * case-insensitive, so one parameter per name: the explicit one, which comes last.
 */
function dedupeHeaderParameters(document: OpenAPIObject): void {
  for (const item of Object.values(document.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = (item as Record<HttpMethod, OperationObject | undefined>)[method];
      if (!operation?.parameters) continue;
      const kept = new Map<string, (typeof operation.parameters)[number]>();
      for (const parameter of operation.parameters) {
        const key = 'in' in parameter && parameter.in === 'header' ? `header:${parameter.name.toLowerCase()}` : JSON.stringify(parameter);
        kept.delete(key);
        kept.set(key, parameter);
      }
      operation.parameters = [...kept.values()];
    }
  }
}

/**
 * OpenAPI 3.0 honours `nullable` only beside a `type`, and Nest writes none beside `oneOf` (the
 * debt's nullable `loan`). A union whose alternatives are all objects is an object.
 */
function typeNullableUnions(document: OpenAPIObject): void {
  const schemas = (document.components?.schemas ?? {}) as Record<string, Record<string, unknown>>;
  const isObject = (schema: Record<string, unknown>): boolean => {
    const ref = schema.$ref;
    if (typeof ref === 'string') return schemas[ref.replace('#/components/schemas/', '')]?.type === 'object';
    return schema.type === 'object';
  };
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node === null || typeof node !== 'object') return;
    const schema = node as Record<string, unknown>;
    const union = (schema.oneOf ?? schema.anyOf) as Array<Record<string, unknown>> | undefined;
    if (schema.nullable === true && schema.type === undefined && union?.every(isObject)) schema.type = 'object';
    Object.values(schema).forEach(visit);
  };
  visit(document.components);
  visit(document.paths);
}

/** Headers the application's onSend hook puts on every answer (app.factory.ts). */
function addResponseHeaders(document: OpenAPIObject): void {
  document.components = document.components ?? {};
  document.components.headers = {
    ...document.components.headers,
    XRequestId: { description: 'The request id (also in a problem body as requestId); quote it to operators', schema: { type: 'string' } },
    CacheControl: { description: 'no-store on every /v1 answer', schema: { type: 'string', enum: ['no-store'] } },
  };
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = (item as Record<HttpMethod, OperationObject | undefined>)[method];
      for (const response of Object.values(operation?.responses ?? {})) {
        if (!response || '$ref' in response) continue;
        response.headers = {
          ...response.headers,
          'X-Request-Id': { $ref: '#/components/headers/XRequestId' },
          ...(path.startsWith('/v1/') ? { 'Cache-Control': { $ref: '#/components/headers/CacheControl' } } : {}),
        };
      }
    }
  }
}

function routePaths(controller: object, handler: object): string[] {
  const list = (value: unknown): string[] => (Array.isArray(value) ? (value as string[]) : [typeof value === 'string' ? value : '']);
  const paths: string[] = [];
  for (const base of list(Reflect.getMetadata(PATH_METADATA, controller)))
    for (const own of list(Reflect.getMetadata(PATH_METADATA, handler))) {
      const joined = `/${[base, own].map((p) => p.replace(/^\/+|\/+$/g, '')).filter(Boolean).join('/')}`;
      paths.push(joined.replace(/:([A-Za-z0-9_]+)/g, '{$1}'));
    }
  return paths;
}

function appendSentence(description: string | undefined, sentence: string): string {
  if (!description) return sentence;
  if (description.includes(sentence)) return description;
  return `${description}\n\n${sentence}`;
}

/** SwaggerModule.setup serves these outside Nest's router; they are part of the contract all the same. */
function addDocsRoutes(document: OpenAPIObject): void {
  const operation = (operationId: string, summary: string, mediaType: string, schema: Record<string, unknown>): PathItemObject => ({
    get: {
      operationId,
      summary,
      description: 'Public: no bearer token.',
      tags: ['operations'],
      security: [],
      responses: { '200': { description: summary, content: { [mediaType]: { schema } } } },
    },
  });
  document.paths['/docs'] = operation('getApiDocs', 'Swagger UI for this document', 'text/html', { type: 'string' });
  document.paths['/docs/openapi.json'] = operation('getOpenApiDocument', 'This OpenAPI document (JSON)', 'application/json', {
    type: 'object',
    additionalProperties: true,
    description: 'An OpenAPI 3.0 document',
  });
  document.paths['/docs/openapi.yaml'] = operation('getOpenApiDocumentYaml', 'This OpenAPI document (YAML)', 'text/yaml', { type: 'string' });
}

/** Keys sorted recursively (arrays keep their order): the committed document is byte-stable. */
export function sortKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item: unknown) => sortKeys(item)) as T;
  if (value === null || typeof value !== 'object') return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value as Record<string, unknown>).sort()) sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
  return sorted as T;
}

/** The committed form: sorted keys, 2-space indentation, trailing newline. */
export function serializeOpenApiDocument(document: OpenAPIObject): string {
  return `${JSON.stringify(sortKeys(document), null, 2)}\n`;
}

export { HTTP_METHODS };
