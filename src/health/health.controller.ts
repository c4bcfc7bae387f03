import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Public } from '../auth/scopes.decorator';
import { StateStore } from '../redis/state-store';
import { ShutdownState } from './shutdown.state';

@ApiTags('operations')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly store: StateStore,
    private readonly shutdown: ShutdownState,
  ) {}

  /** The process is alive; no dependency is checked, so a slow database never restarts pods. */
  @Get('live')
  @HealthCheck()
  @ApiOperation({ operationId: 'getLiveness', summary: 'Liveness: the process answers (no dependency is checked)' })
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  /** PostgreSQL and Redis answer, and the service is not draining for shutdown. */
  @Get('ready')
  @HealthCheck()
  @ApiOperation({ operationId: 'getReadiness', summary: 'Readiness: PostgreSQL and Redis answer and the service is not draining (503 otherwise)' })
  ready(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.db.pingCheck('postgres').withTimeout(1500),
      async () => {
        const indicator = this.indicators.check('redis');
        try {
          await this.store.ping();
          return indicator.up();
        } catch {
          return indicator.down({ message: 'unreachable' });
        }
      },
      async () => {
        const indicator = this.indicators.check('lifecycle');
        return this.shutdown.draining ? indicator.down({ message: 'draining' }) : indicator.up();
      },
    ]);
  }
}
