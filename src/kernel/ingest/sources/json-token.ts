/** The tokens of stream-json's parser (`stream-json/core/parser.js`) the JSON source reads. */
export type JsonToken =
  | { readonly name: 'startObject' | 'endObject' | 'startArray' | 'endArray' | 'startKey' | 'endKey' | 'startString' | 'endString' | 'startNumber' | 'endNumber' }
  | { readonly name: 'stringChunk' | 'numberChunk' | 'keyValue' | 'stringValue' | 'numberValue' | 'whitespace'; readonly value: string }
  | { readonly name: 'nullValue'; readonly value: null }
  | { readonly name: 'trueValue' | 'falseValue'; readonly value: boolean };
