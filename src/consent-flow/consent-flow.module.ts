import { Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { ConsentsModule } from '../consents/consents.module';
import { ConsentFlowController } from './consent-flow.controller';
import { ConsentFlowService } from './consent-flow.service';
import { FlowStore } from './flow.store';
import { NogiCallbackController } from '../providers/nogi/nogi-callback.controller';
import { NogiFlowCompletion } from '../providers/nogi/nogi-flow.completion';
import { NogiOAuthStrategy } from '../providers/nogi/nogi-oauth.strategy';

@Module({
  imports: [PassportModule, ConsentsModule],
  controllers: [ConsentFlowController, NogiCallbackController],
  providers: [ConsentFlowService, FlowStore, NogiOAuthStrategy, NogiFlowCompletion],
  exports: [ConsentFlowService],
})
export class ConsentFlowModule {}
