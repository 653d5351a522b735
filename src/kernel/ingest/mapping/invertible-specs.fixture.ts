/** SAP-style specs whose every step inverts, for the export tests and the round-trip property. */
import type { MappingSpec } from '../ingest.contract.ts';

const sapCsv = { format: 'csv', delimiter: ';', header: true } as const;
const customerKey = { from: 'KUNNR', transforms: [{ op: 'stripLeadingZeros', width: 10 }] };
const materialKey = { from: 'MATNR', transforms: [{ op: 'stripLeadingZeros', width: 18 }] };

export const invertibleOutletSpec: MappingSpec = {
  specVersion: 1,
  name: 'sap-kna1-outlets-export',
  entity: 'outlet',
  system: 'SAP-ECC-PRD',
  source: sapCsv,
  key: customerKey,
  fields: {
    code: customerKey,
    name: { from: 'NAME1', transforms: [{ op: 'collapseWhitespace' }] },
    channel: { from: 'KTOKD', transforms: [{ op: 'lookup', table: { Z001: 'supermarket', Z002: 'hypermarket', Z003: 'kiosk', Z004: 'pharmacy', Z005: 'horeca', Z006: 'wholesale', Z099: 'other', ZOTH: 'other' } }] },
    segment: { from: 'KLABC', transforms: [{ op: 'trim' }, { op: 'upper' }] },
    city: { from: 'ORT01', transforms: [{ op: 'collapseWhitespace' }, { op: 'upper' }] },
    country: { from: 'LAND1', transforms: [{ op: 'codeList', list: 'iso3166Alpha3' }] },
    creditLimit: { from: 'KLIMK', transforms: [{ op: 'money', decimalSeparator: ',', currencyFrom: 'WAERS', currency: 'EUR' }] },
    balance: { from: 'SALDO', transforms: [{ op: 'money', decimalSeparator: ',', thousandsSeparator: '.', currency: 'EUR' }] },
    paymentTermsDays: { from: 'ZTAGG', transforms: [{ op: 'integer' }] },
    latitude: { from: 'LAT', transforms: [{ op: 'number', decimalSeparator: ',' }] },
    active: { from: 'SPERR', transforms: [{ op: 'boolean', trueValues: [''], falseValues: ['X'] }] },
    'ext.customerSince': { from: 'ERDAT', transforms: [{ op: 'sapDate' }] },
  },
  deletion: { field: 'LOEVM', equals: 'X' },
};

export const invertibleProductSpec: MappingSpec = {
  specVersion: 1,
  name: 'sap-mara-products-export',
  entity: 'product',
  system: 'SAP-ECC-PRD',
  source: sapCsv,
  key: materialKey,
  fields: {
    sku: materialKey,
    gtin: { from: 'EAN11', transforms: [{ op: 'trim' }] },
    name: { from: 'MAKTX', transforms: [{ op: 'collapseWhitespace' }] },
    localizedName: { from: 'MAKTX2', transforms: [{ op: 'localized', languageFrom: 'SPRAS' }] },
    baseUnit: { from: 'MEINS', transforms: [{ op: 'codeList', list: 'sapUnit' }, { op: 'lookup', table: { H87: 'EA', PK: 'PK', CS: 'CS', CT: 'CS', KGM: 'KG', LTR: 'L' } }] },
    taxClass: { from: 'TAXKM', transforms: [{ op: 'lookup', table: { '1': 'standard', '2': 'reduced', '0': 'zero' } }] },
    listPrice: { from: 'KBETR', transforms: [{ op: 'money', decimalSeparator: ',', thousandsSeparator: '.', currency: 'EUR' }] },
    active: { from: 'LVORM', transforms: [{ op: 'codeList', list: 'sapBoolean' }, { op: 'not' }] },
    'ext.netWeightKg': { from: 'NTGEW', transforms: [{ op: 'number', decimalSeparator: ',' }, { op: 'unitConvert', from: 'G', to: 'KG' }] },
    'ext.launchedOn': { from: 'ERSDA', transforms: [{ op: 'date', format: 'DD.MM.YYYY' }] },
    'ext.organic': { from: 'BIO', transforms: [{ op: 'codeList', list: 'sapBoolean' }] },
  },
  deletion: { field: 'LVORM', equals: 'X' },
};

/**
 * The outlet spec over nested JSON records (JSON Pointer columns): an OData-style customer with its
 * address as an expanded 1:n navigation (`results`), credit data in an object of its own (the money
 * op's `currencyFrom` a pointer too), a member whose name holds a "/" (`~1`) and the deletion flag
 * nested.
 */
export const nestedOutletSpec: MappingSpec = {
  ...invertibleOutletSpec,
  name: 'odata-customers-export',
  source: { format: 'json' },
  key: { ...customerKey, from: '/Customer/KUNNR' },
  fields: {
    ...invertibleOutletSpec.fields,
    code: { ...customerKey, from: '/Customer/KUNNR' },
    name: { from: 'NAME1', transforms: [{ op: 'collapseWhitespace' }] },
    city: { from: '/to_Address/results/0/ORT01', transforms: [{ op: 'collapseWhitespace' }, { op: 'upper' }] },
    country: { from: '/to_Address/results/0/LAND1', transforms: [{ op: 'codeList', list: 'iso3166Alpha3' }] },
    creditLimit: { from: '/to_Credit/KLIMK', transforms: [{ op: 'money', decimalSeparator: ',', currencyFrom: '/to_Credit/WAERS', currency: 'EUR' }] },
    latitude: { from: '/geo/LAT~1LON', transforms: [{ op: 'number', decimalSeparator: ',' }] },
  },
  deletion: { field: '/Customer/flags/LOEVM', equals: 'X' },
};
