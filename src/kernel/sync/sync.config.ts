/** The offline sync module's config slice. */
import Type from 'typebox';

export const syncSlice = {
  SYNC_RETENTION_DAYS: Type.Integer({ default: 30, minimum: 1, maximum: 3650, description: 'Days the sync change log is kept; a device offline longer refetches (410 sync.must_refetch)' }),
};
