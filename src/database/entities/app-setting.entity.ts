import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Small named values the service keeps for itself (sandbox mode: the generated national-id HMAC key). */
@Entity('app_setting')
export class AppSettingEntity {
  @PrimaryColumn('varchar', { length: 64 })
  name!: string;

  @Column('text')
  value!: string;
}
