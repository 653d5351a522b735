/**
 * A run's rejects as CSV, streamed page by page: row, line, source key, field, value, code, reason.
 * Cells that a spreadsheet would run as a formula (=, +, -, @, tab, CR first) are escaped with a
 * leading apostrophe (csv-stringify's escape_formulas), so a hostile value stays inert text.
 */
import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { TenantContext } from '../db/index.ts';
import type { IngestService } from './ingest.service.ts';

const columns = ['row', 'line', 'sourceKey', 'field', 'value', 'code', 'reason'];

export function rejectsCsv(service: IngestService, context: TenantContext, runId: string): Readable {
  const output = stringify({ header: true, columns, escape_formulas: true, bom: true });
  const pages = async function* () {
    for (let after: string | undefined; ; ) {
      const page = await service.listRejects(context, runId, { limit: 2000, ...(after ? { after } : {}) });
      for (const reject of page) yield [reject.rowNumber, reject.line ?? '', reject.sourceKey ?? '', reject.field ?? '', reject.value ?? '', reject.code, reject.reason];
      if (page.length < 2000) return;
      after = `${page.at(-1)!.rowNumber}.${page.at(-1)!.seq}`;
    }
  };
  Readable.from(pages()).on('error', (error) => output.destroy(error)).pipe(output);
  return output;
}
