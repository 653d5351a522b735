import { uuidv7 } from 'uuidv7';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A new time-ordered id (UUIDv7), made in the app so that inserts stay index-friendly. */
export function newId(): string {
  return uuidv7();
}

export function isUuid(value: string): boolean {
  return uuidPattern.test(value);
}
