/** The download's formula escape is undone exactly by the re-submission, whatever the text. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeFormulaCell, unescapeFormulaCell } from './rejected-rows-file.ts';

describe('formula cells of the source-shape download', () => {
  it('escapes what a spreadsheet would run, and nothing else', () => {
    expect(['=1+1', '+49 711', '-5', '@SUM(A1)', '\tx', "'=x"].map(escapeFormulaCell)).toEqual(["'=1+1", "'+49 711", "'-5", "'@SUM(A1)", "'\tx", "''=x"]);
    expect(['Müller', "'quoted", '', '5-'].map(escapeFormulaCell)).toEqual(['Müller', "'quoted", '', '5-']);
  });

  it('round-trips every text through escape and unescape', () => {
    const text = fc.oneof(fc.string(), fc.string().map((rest) => `'=${rest}`), fc.constantFrom("'", "''-", "'''+x", '=', '-'));
    fc.assert(fc.property(text, (value) => unescapeFormulaCell(escapeFormulaCell(value)) === value));
  });
});
