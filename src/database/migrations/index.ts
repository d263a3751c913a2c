import { InitialSchema1764871200000 } from './1764871200000-initial-schema';

/** Every migration, oldest first; the application runs pending ones at start. */
export const MIGRATIONS = [InitialSchema1764871200000];
