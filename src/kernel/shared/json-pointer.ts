/**
 * RFC 6901 reference tokens: a member name in a JSON Pointer (the `pointer` of a problem, a spec's
 * `source.records`) has `~` written `~0` and `/` written `~1`. One definition for every module that
 * builds or reads pointers.
 */

/** The member name as a reference token. */
export const escapePointer = (name: string): string => name.replaceAll('~', '~0').replaceAll('/', '~1');

/** The reference token as the member name: `~1` first, then `~0`, so `~01` reads `~1`. */
export const unescapePointer = (token: string): string => token.replaceAll('~1', '/').replaceAll('~0', '~');

/** The syntax of a JSON Pointer (the whole document is ''), for schemas and checks. */
export const jsonPointerPattern = '^(/([^~/]|~[01])*)*$';

/** The member names (and array indexes) a JSON Pointer walks: '' -> [], '/a~1b/0' -> ['a/b', '0']. */
export const pointerTokens = (pointer: string): string[] => (pointer === '' ? [] : pointer.slice(1).split('/').map(unescapePointer));
