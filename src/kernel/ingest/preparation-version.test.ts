/**
 * A tripwire for `preparationVersion` (unchanged-source.ts): a re-run takes a row whose source is
 * unchanged for unchanged without preparing it, so a change to the code that maps, normalizes or
 * validates rows must raise the version, or rows loaded before keep what the old code made of them.
 * This prepares a sample (3,000 generated SAP customers through the shipped KNA1 spec: names,
 * addresses, phones of five countries, e-mails, VAT ids, amounts, flags) and compares a digest of the
 * outcome with the one recorded for the current version. When it fails: raise `preparationVersion`
 * and record the new digest under it (a new version with an unchanged digest fails too).
 */
import { hash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createAjv } from '../http/index.ts';
import { deriveSchemas } from '../model/index.ts';
import type { MappingSpec } from './ingest.contract.ts';
import { compileMapping } from './mapping/index.ts';
import { outletTarget } from './mapping/retail-targets.fixture.ts';
import { compileNormalizer } from './normalize/index.ts';
import { sapCustomerHeader, sapCustomerLine } from './sap-customers.fixture.ts';
import { preparationVersion } from './unchanged-source.ts';

/** Version -> digest of the sample's preparation under it. */
const recorded: Record<number, string> = {
  1: '050e85673403e4ff1e0c03de3cfd584fd0ff2d5665c44dce7901a3d9d1c7db4f',
};

describe('preparation version', () => {
  it('is raised whenever preparing the sample gives other records or problems', () => {
    const spec: MappingSpec = JSON.parse(readFileSync(fileURLToPath(new URL('../../../examples/ingest/sap-kna1-outlets.json', import.meta.url)), 'utf8'));
    const map = compileMapping(spec, outletTarget);
    const normalize = compileNormalizer(spec.normalize ?? {});
    const validate = createAjv(false).compile(deriveSchemas(outletTarget.entity).create);
    const columns = sapCustomerHeader.split(';');
    const lines: string[] = [];
    for (let row = 1; row <= 3000; row++) {
      const cells = sapCustomerLine(row).split(';');
      const mapped = map({ rowNumber: row, line: row + 1, values: Object.fromEntries(columns.map((column, index) => [column, cells[index] ?? ''])) });
      const normalized = normalize(mapped.record);
      const valid = validate(normalized.record);
      lines.push(JSON.stringify([mapped.sourceKey, mapped.deleted, mapped.problems, normalized.record, normalized.problems, valid, validate.errors ?? null]));
    }
    const digest = hash('sha256', lines.join('\n'), 'hex');
    expect({ version: preparationVersion, digest }).toEqual({ version: preparationVersion, digest: recorded[preparationVersion] });
    // A version is raised for a change of outcome only: no two versions record one digest.
    expect(new Set(Object.values(recorded)).size).toBe(Object.keys(recorded).length);
  });
});
