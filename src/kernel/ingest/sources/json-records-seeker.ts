/**
 * Finds the array of records inside a JSON document by a JSON Pointer (RFC 6901, `source.records`),
 * token by token (stream-json's streamed tokens), skipping every other member without building it:
 * OData feeds wrap their records (`{"d": {"results": [...]}}` in v2, `{"value": [...]}` in v4) beside
 * members such as `__count` or `@odata.context`, before or after them.
 */
import type { JsonToken } from './json-token.ts';
import { pointerTokens } from '../../shared/index.ts';
import { sourceErrors } from './source.errors.ts';

/** Nesting deeper than this is refused: the tokenizer keeps one entry per open level. */
export const maxJsonDepth = 1_024;

const kindOf = (token: JsonToken): string => {
  switch (token.name) {
    case 'startObject':
      return 'an object';
    case 'startArray':
      return 'an array';
    case 'startString':
      return 'a string';
    case 'startNumber':
      return 'a number';
    case 'nullValue':
      return 'null';
    default:
      return 'a boolean';
  }
};

export class JsonRecordsSeeker {
  /** Reference tokens matched so far. */
  private level = 0;
  /** value: the value at the pointer's first `level` tokens comes; member: inside its object, between members. */
  private state: 'value' | 'member' | 'key' | 'skip' = 'value';
  private key = '';
  private skipDepth = 0;
  /** The pointer's reference tokens as written (`~1` for `/`, `~0` for `~`), and as member names. */
  private readonly encoded: readonly string[];
  private readonly path: readonly string[];

  /** `pointer`: a JSON Pointer (RFC 6901); the empty pointer is the whole document. */
  constructor(private readonly pointer: string) {
    this.encoded = pointer === '' ? [] : pointer.slice(1).split('/');
    this.path = pointerTokens(pointer);
  }

  /** Reads a token before the records; true when it opened their array. */
  consume(token: JsonToken): boolean {
    if (token.name === 'whitespace') return false;
    switch (this.state) {
      case 'value':
        if (this.level === this.path.length) {
          if (token.name === 'startArray') return true;
          throw this.notArray(token);
        }
        if (token.name !== 'startObject') throw sourceErrors.malformedSource(`The document has no array of records at ${this.pointer}: ${this.where()} is ${kindOf(token)}, not an object.`);
        this.state = 'member';
        return false;
      case 'member':
        if (token.name === 'endObject') throw sourceErrors.malformedSource(`The document has no array of records at ${this.pointer}: ${this.where()} has no member "${this.path[this.level]}".`);
        if (token.name === 'startKey') {
          this.state = 'key';
          this.key = '';
        }
        return false;
      case 'key':
        // A key longer than the one sought is not it: no need to hold it all.
        if (token.name === 'stringChunk' && this.key.length <= this.path[this.level]!.length) this.key += token.value;
        if (token.name !== 'endKey') return false;
        if (this.key === this.path[this.level]) {
          this.level++;
          this.state = 'value';
        } else {
          this.state = 'skip';
          this.skipDepth = 0;
        }
        return false;
      case 'skip':
        // One member's value, whole: containers by depth, a scalar by its end.
        switch (token.name) {
          case 'startObject':
          case 'startArray':
            if (++this.skipDepth + this.level > maxJsonDepth) throw sourceErrors.malformedSource(`The document nests deeper than ${maxJsonDepth} levels.`);
            return false;
          case 'endObject':
          case 'endArray':
            if (--this.skipDepth === 0) this.state = 'member';
            return false;
          case 'endString':
          case 'endNumber':
          case 'nullValue':
          case 'trueValue':
          case 'falseValue':
            if (this.skipDepth === 0) this.state = 'member';
            return false;
          default:
            return false;
        }
    }
  }

  private notArray(token: JsonToken) {
    if (this.path.length > 0) return sourceErrors.malformedSource(`The value at ${this.pointer} is ${kindOf(token)}, not an array of records.`);
    const hint =
      token.name === 'startObject'
        ? ' If it wraps its records, name their array with source.records, a JSON Pointer: /d/results for SAP OData v2 ({"d": {"results": [...]}}), /value for OData v4.'
        : '';
    return sourceErrors.malformedSource(`A JSON source must be one array of objects (\`[{...}, {...}]\`); this document is ${kindOf(token)}, not an array.${hint}`);
  }

  /** The object being searched, for messages. */
  private where(): string {
    return this.level === 0 ? 'the document' : `the value at /${this.encoded.slice(0, this.level).join('/')}`;
  }
}
