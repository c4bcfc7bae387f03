import { randomBytes } from 'node:crypto';
import { Global, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { AppSettingEntity } from '../../database/entities';
import { DataCipher, NationalIdHasher } from './data-cipher';

const SANDBOX_HMAC_SETTING = 'sandbox_national_id_hmac_key';

@Global()
@Module({
  providers: [
    { provide: DataCipher, inject: [AppConfig], useFactory: (config: AppConfig) => new DataCipher(config.dataEncryptionKeys) },
    {
      provide: NationalIdHasher,
      inject: [AppConfig, DataSource],
      useFactory: async (config: AppConfig, dataSource: DataSource) => {
        if (config.nationalIdHmacKey) return new NationalIdHasher(config.nationalIdHmacKey);
        if (!config.sandbox) throw new Error('NATIONAL_ID_HMAC_KEY is required outside sandbox mode');
        // Sandbox mode: generated once and kept in the database, so hashes stay valid across restarts.
        const repo = dataSource.getRepository(AppSettingEntity);
        await repo.createQueryBuilder().insert().values({ name: SANDBOX_HMAC_SETTING, value: randomBytes(32).toString('base64') }).orIgnore().execute();
        const setting = await repo.findOneByOrFail({ name: SANDBOX_HMAC_SETTING });
        return new NationalIdHasher(Buffer.from(setting.value, 'base64'));
      },
    },
  ],
  exports: [DataCipher, NationalIdHasher],
})
export class CryptoModule {}
