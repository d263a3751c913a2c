import { InitialSchema1764871200000 } from './1764871200000-initial-schema';
import { Sessions1796418568133 } from './1796418568133-sessions';
import { StoreMessages1796427292185 } from './1796427292185-store-messages';

/** Every migration, oldest first; the application runs pending ones at start. */
export const MIGRATIONS = [InitialSchema1764871200000, Sessions1796418568133, StoreMessages1796427292185];
