import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Caller, Scope } from './caller';

export const SCOPES_KEY = 'nogi:scopes';
export const PUBLIC_KEY = 'nogi:public';

/** The route needs a valid bank JWT carrying at least one of these scopes. */
export const RequireScopes = (...anyOf: Scope[]) => SetMetadata(SCOPES_KEY, anyOf);

/** No caller token (health, metrics, docs, the browser callback). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

export type AuthenticatedRequest = FastifyRequest & { caller?: Caller };

export const CurrentCaller = createParamDecorator((_data: unknown, ctx: ExecutionContext): Caller => {
  const caller = ctx.switchToHttp().getRequest<AuthenticatedRequest>().caller;
  if (!caller) throw new Error('CurrentCaller used on a route without caller authentication');
  return caller;
});
