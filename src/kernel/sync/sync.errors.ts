/** Error codes of offline sync (kernel/sync). Public contract: add, never rename. */
import { AppError, type FieldError } from '../shared/index.ts';

export const syncErrors = {
  invalidCursor: () =>
    new AppError('invalid', 'sync.invalid_cursor', 'Invalid sync cursor', {
      detail: 'The cursor was not issued by this server to this user and tenant; sync again without a cursor.',
      errors: [{ pointer: '/cursor', detail: 'not a cursor of this server for you' }],
    }),
  mustRefetch: () =>
    new AppError('gone', 'sync.must_refetch', 'Sync cursor too old', {
      detail: 'The changes since this cursor are no longer kept; drop the local copy and sync again without a cursor.',
      extensions: { mustRefetch: true },
    }),
  invalidMutation: (errors: FieldError[]) =>
    new AppError('invalid', 'sync.invalid_mutation', 'Invalid mutation', { detail: `The mutation did not validate: ${errors.map((error) => `${error.pointer} ${error.detail}`).join('; ')}`, errors }),
  unknownEntity: (entity: string, pointer: string) =>
    new AppError('invalid', 'sync.unknown_entity', 'Unknown entity', { detail: `"${entity}" is not an entity that syncs.`, errors: [{ pointer, detail: 'not a synced entity' }] }),
  unknownAction: (entity: string, action: string | undefined, pointer: string) =>
    new AppError('invalid', 'sync.unknown_action', 'Unknown action', { detail: `${entity} has no action "${action ?? ''}".`, errors: [{ pointer, detail: 'not an action of this entity' }] }),
  clientNotYours: () =>
    new AppError('forbidden', 'sync.client_not_yours', 'Client id of another user', { detail: 'This client id belongs to another user; make a new client id for this device and user.', errors: [{ pointer: '/clientId', detail: 'registered to another user' }] }),
  clientNeedsOwner: () => new AppError('forbidden', 'sync.client_needs_user', 'Push needs a user or API key', { detail: 'Offline mutations are pushed by a signed-in user or an API key.' }),
  noSyncScope: () => new AppError('forbidden', 'sync.no_scope', 'Nothing to sync', { detail: 'Your roles may not read any entity that syncs.' }),
};
