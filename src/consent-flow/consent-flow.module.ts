import { Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { ConsentsModule } from '../consents/consents.module';
import { ConsentFlowController } from './consent-flow.controller';
import { ConsentFlowService } from './consent-flow.service';
import { FlowStore } from './flow.store';
import { NogiOAuthStrategy } from '../providers/nogi/nogi-oauth.strategy';

@Module({
  imports: [PassportModule, ConsentsModule],
  controllers: [ConsentFlowController],
  providers: [ConsentFlowService, FlowStore, NogiOAuthStrategy],
})
export class ConsentFlowModule {}
