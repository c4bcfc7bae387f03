import { AltinnEventEntity } from './altinn-event.entity';
import { AppSettingEntity } from './app-setting.entity';
import { AuditEventEntity } from './audit-event.entity';
import { ConsentEntity } from './consent.entity';
import { FeedCursorEntity } from './feed-cursor.entity';
import { FeedEventEntity } from './feed-event.entity';
import { RevocationOutboxEntity } from './revocation-outbox.entity';

/** Every entity of the schema; the migrations must match exactly these (see the drift test). */
export const ENTITIES = [ConsentEntity, AuditEventEntity, AppSettingEntity, RevocationOutboxEntity, FeedCursorEntity, FeedEventEntity, AltinnEventEntity];
export { AltinnEventEntity, AppSettingEntity, AuditEventEntity, ConsentEntity, FeedCursorEntity, FeedEventEntity, RevocationOutboxEntity };
