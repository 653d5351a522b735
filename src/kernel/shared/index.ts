export { AppError, errorKinds, isAppError } from './errors.ts';
export type { AppErrorOptions, ErrorKind, FieldError } from './errors.ts';
export { isUuid, newId } from './ids.ts';
export { parseIfMatch, unmatchableVersion } from './if-match.ts';
export { isRecord } from './is-record.ts';
export { escapePointer, jsonPointerPattern, pointerTokens, unescapePointer } from './json-pointer.ts';
