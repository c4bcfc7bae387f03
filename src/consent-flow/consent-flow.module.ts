import { Module } from '@nestjs/common';
import { ConsentsModule } from '../consents/consents.module';
import { ConsentFlowController } from './consent-flow.controller';
import { ConsentFlowService } from './consent-flow.service';
import { FlowStore } from './flow.store';

@Module({
  imports: [ConsentsModule],
  controllers: [ConsentFlowController],
  providers: [ConsentFlowService, FlowStore],
  exports: [ConsentFlowService, FlowStore],
})
export class ConsentFlowModule {}
