import type { Migration } from 'kysely/migration';
import * as initial from './001-initial.ts';

/** Every migration of the state file, in order. Names are stable forever: they are the keys recorded in the file. */
export const MIGRATIONS: Record<string, Migration> = {
  '001-initial': initial,
};
