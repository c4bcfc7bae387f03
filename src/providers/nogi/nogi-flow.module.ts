import { Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { ConsentFlowModule } from '../../consent-flow/consent-flow.module';
import { ConsentsModule } from '../../consents/consents.module';
import { NogiCallbackController } from './nogi-callback.controller';
import { NogiFlowCompletion } from './nogi-flow.completion';
import { NogiOAuthStrategy } from './nogi-oauth.strategy';

/** NoGi's callback (passport-oauth2's authorization-code flow): loaded only when NoGi is enabled (PROVIDERS). */
@Module({
  imports: [PassportModule, ConsentsModule, ConsentFlowModule],
  controllers: [NogiCallbackController],
  providers: [NogiOAuthStrategy, NogiFlowCompletion],
})
export class NogiFlowModule {}
