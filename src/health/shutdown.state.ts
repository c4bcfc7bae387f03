import { Injectable } from '@nestjs/common';

/** Set on SIGTERM: readiness goes 503 so the load balancer stops sending while in-flight requests drain. */
@Injectable()
export class ShutdownState {
  draining = false;
}
