import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import passport from 'passport';
import { AppError } from '../../common/problem';
import { humanPaced } from '../upstream/upstream-circuit';
import { StateStoreUnavailableError } from '../../redis/state-store';
import { CallbackRequest, NogiGrant, NogiOAuthStrategy } from './nogi-oauth.strategy';
import type { FlowRecord, FlowSecrets } from '../../consent-flow/flow.store';

/** What the callback handler gets once the state was taken: the grant, or why there is none. */
export interface CallbackOutcome {
  secrets: FlowSecrets;
  /** The pending flow, read with its state before the code was exchanged. */
  flow: FlowRecord;
  grant?: NogiGrant;
  /** The exchange failed (the flow must fail; the code is never retried). */
  error?: unknown;
}

export type GuardedCallbackRequest = CallbackRequest & { nogiCallback?: CallbackOutcome };

/**
 * Runs passport only for a callback that carries a code and no error. An unknown, expired, reused
 * or tampered state is a 400 before any upstream call; after the state is taken every failure is
 * handed to the controller, which ends the flow and redirects the browser.
 */
@Injectable()
export class NogiCallbackGuard implements CanActivate {
  constructor(private readonly strategy: NogiOAuthStrategy) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<GuardedCallbackRequest>();
    const query = request.query as Record<string, unknown>;
    if (typeof query.code !== 'string' || query.error !== undefined) return true;
    // This application's strategy, not passport's global registry by name (which holds only the last
    // one registered in the process). Passport augments a given instance with the request's
    // success/fail actions, so each request gets its own object, as passport does for named ones.
    // The customer has just consented at NoGi: the exchange is tried even while a breaker is open.
    await humanPaced(() => new Promise<void>((resolve, reject) => {
      const perRequest = Object.create(this.strategy) as NogiOAuthStrategy;
      const authenticate = passport.authenticate(perRequest, { session: false }, (error: unknown, grant: unknown) => {
        try {
          this.handleRequest(error, grant, request);
          resolve();
        } catch (thrown) {
          reject(thrown);
        }
      });
      authenticate(request, http.getResponse(), (error?: unknown) => (error ? reject(error) : resolve()));
    }));
    return true;
  }

  private handleRequest(error: unknown, grant: unknown, request: GuardedCallbackRequest): void {
    const secrets = request.nogiFlowSecrets;
    const flow = request.nogiFlow;
    if (!secrets || !flow) {
      // Fail closed: without the state store there is no state check, so no flow goes on.
      if (error instanceof StateStoreUnavailableError) throw new AppError('DEPENDENCY_UNAVAILABLE', 'The flow state cannot be checked right now.');
      throw new AppError('INVALID_STATE', 'The state is unknown, expired or already used. Start the consent again from your bank.');
    }
    request.nogiCallback = { secrets, flow, grant: grant ? (grant as NogiGrant) : undefined, error: grant ? undefined : (error ?? new Error('no grant')) };
  }
}
