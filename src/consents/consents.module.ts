import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ConsentEntity, RevocationOutboxEntity } from '../database/entities';
import { AccountsConsentRegistration } from './accounts-consent.registration';
import { ConsentDataService } from './consent-data.service';
import { ConsentExpirySweeper } from './consent-expiry.sweeper';
import { ConsentRegistrationService } from './consent-registration.service';
import { ConsentRepository } from './consent.repository';
import { ConsentsController } from './consents.controller';
import { ConsentsService } from './consents.service';
import { GrantedConsentRecorder } from './granted-consent.recorder';
import { IdempotencyStore } from './idempotency.store';
import { RevocationOutboxRepository } from './revocation-outbox.repository';
import { RevocationWorker } from './revocation.worker';

@Module({
  imports: [TypeOrmModule.forFeature([ConsentEntity, RevocationOutboxEntity])],
  controllers: [ConsentsController],
  providers: [ConsentRepository, RevocationOutboxRepository, IdempotencyStore, ConsentsService, ConsentDataService, AccountsConsentRegistration, ConsentRegistrationService, RevocationWorker, ConsentExpirySweeper, GrantedConsentRecorder],
  exports: [ConsentRepository, ConsentsService, ConsentDataService, GrantedConsentRecorder],
})
export class ConsentsModule {}
