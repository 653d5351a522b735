/**
 * Realistic SAP specs for the tests: customer master KNA1 (with credit data) -> outlet, material
 * master MARA + MAKT -> product, units of measure MARM -> productUnit. Exported from SAP as CSV with
 * `;`, decimal commas, zero-padded keys, YYYYMMDD dates and X flags.
 */
import type { MappingSpec } from '../ingest.contract.ts';

const sapCsv = { format: 'csv', delimiter: ';', encoding: 'auto', header: true } as const;

export const kna1OutletSpec: MappingSpec = {
  specVersion: 1,
  name: 'sap-kna1-outlets',
  description: 'SAP ECC customer master (KNA1 + KNKK credit limit) to retail outlets',
  entity: 'outlet',
  system: 'SAP-ECC-PRD',
  source: sapCsv,
  key: { from: 'KUNNR', transforms: [{ op: 'stripLeadingZeros', allZero: 'empty', width: 10 }] },
  fields: {
    code: { from: 'KUNNR', transforms: [{ op: 'stripLeadingZeros', allZero: 'empty', width: 10 }] },
    name: { from: ['NAME1', 'NAME2'], transforms: [{ op: 'collapseWhitespace' }, { op: 'join', separator: ' ' }] },
    legalName: { from: ['NAME1', 'NAME2', 'NAME3', 'NAME4'], transforms: [{ op: 'collapseWhitespace' }, { op: 'join' }] },
    channel: {
      from: 'KTOKD',
      transforms: [{ op: 'lookup', table: { Z001: 'supermarket', Z002: 'hypermarket', Z003: 'kiosk', Z004: 'pharmacy', Z005: 'horeca', Z006: 'wholesale' }, caseInsensitive: true }],
      default: 'other',
    },
    status: {
      constant: 'active',
      transforms: [
        { op: 'when', if: { field: 'AUFSD', empty: false }, then: 'blocked' },
        { op: 'when', if: { field: 'LOEVM', equals: 'X' }, then: 'closed' },
      ],
    },
    street: { from: 'STRAS', transforms: [{ op: 'collapseWhitespace' }] },
    postalCode: { from: 'PSTLZ', transforms: [{ op: 'trim' }] },
    city: { from: 'ORT01', transforms: [{ op: 'collapseWhitespace' }, { op: 'title' }] },
    region: { from: 'REGIO', transforms: [{ op: 'trim' }] },
    country: { from: 'LAND1', transforms: [{ op: 'trim' }, { op: 'upper' }] },
    phone: { from: 'TELF1', transforms: [{ op: 'trim' }] },
    email: { from: 'SMTP_ADDR', transforms: [{ op: 'trim' }, { op: 'lower' }] },
    taxId: { from: ['STCEG', 'STCD1'], transforms: [{ op: 'trim' }, { op: 'coalesce' }] },
    creditLimit: { from: 'KLIMK', transforms: [{ op: 'money', decimalSeparator: ',', thousandsSeparator: '.', currency: 'EUR', currencyFrom: 'WAERS' }] },
    balance: { from: 'SALDO', transforms: [{ op: 'money', decimalSeparator: ',', thousandsSeparator: '.', currency: 'EUR' }] },
    paymentTermsDays: { from: 'ZTERM', transforms: [{ op: 'lookup', table: { Z000: 0, Z014: 14, Z030: 30, Z060: 60 }, otherwise: 'null' }] },
    active: { from: 'LOEVM', transforms: [{ op: 'codeList', list: 'sapBoolean' }, { op: 'not' }] },
    'ext.customerSince': { from: 'ERDAT', transforms: [{ op: 'sapDate' }] },
    'ext.accountGroup': { from: 'KTOKD', transforms: [{ op: 'trim' }] },
  },
  normalize: { name: 'name', legalName: 'name', street: 'address', email: 'email', phone: { kind: 'phone', countryField: 'country' }, taxId: { kind: 'taxId', countryField: 'country' } },
  deletion: { field: 'LOEVM', equals: 'X' },
  matching: { exact: ['taxId'], fuzzy: { fields: ['name'], blockBy: ['postalCode'], high: 0.9, low: 0.6 } },
  sourceOwned: ['code', 'name', 'legalName', 'channel', 'status', 'street', 'postalCode', 'city', 'region', 'country', 'taxId', 'creditLimit', 'balance', 'paymentTermsDays', 'active'],
  missing: { action: 'deactivate' },
};

export const maraProductSpec: MappingSpec = {
  specVersion: 1,
  name: 'sap-mara-products',
  description: 'SAP material master (MARA joined with MAKT in the logon language, price from A004/KONP) to products',
  entity: 'product',
  system: 'SAP-ECC-PRD',
  source: sapCsv,
  key: { from: 'MATNR', transforms: [{ op: 'stripLeadingZeros', width: 18 }] },
  fields: {
    sku: { from: 'MATNR', transforms: [{ op: 'stripLeadingZeros', width: 18 }] },
    gtin: { from: 'EAN11', transforms: [{ op: 'trim' }, { op: 'nullIf', values: ['0'] }] },
    name: { from: 'MAKTX', transforms: [{ op: 'collapseWhitespace' }] },
    localizedName: { from: 'MAKTX', transforms: [{ op: 'collapseWhitespace' }, { op: 'localized', languageFrom: 'SPRAS', language: 'de' }] },
    category: { from: 'MATKL', transforms: [{ op: 'trim' }] },
    baseUnit: { from: 'MEINS', transforms: [{ op: 'codeList', list: 'sapUnit' }, { op: 'lookup', table: { H87: 'EA', EA: 'EA', PK: 'PK', CT: 'CS', CS: 'CS', KGM: 'KG', LTR: 'L' } }] },
    taxClass: { from: 'TAXKM', transforms: [{ op: 'lookup', table: { '1': 'standard', '2': 'reduced', '0': 'zero' } }], default: 'standard' },
    listPrice: { from: 'KBETR', transforms: [{ op: 'money', decimalSeparator: ',', thousandsSeparator: '.', currencyFrom: 'KONWA', currency: 'EUR' }] },
    active: { from: 'LVORM', transforms: [{ op: 'codeList', list: 'sapBoolean' }, { op: 'not' }] },
    'ext.netWeightKg': { from: 'NTGEW', transforms: [{ op: 'number', decimalSeparator: ',', thousandsSeparator: '.' }, { op: 'unitConvert', fromField: 'GEWEI', to: 'KG' }] },
    'ext.grossWeightKg': { from: 'BRGEW', transforms: [{ op: 'number', decimalSeparator: ',', thousandsSeparator: '.' }, { op: 'unitConvert', fromField: 'GEWEI', to: 'KG', scale: 3, rounding: 'halfUp' }] },
    'ext.launchedOn': { from: 'ERSDA', transforms: [{ op: 'sapDate' }] },
  },
  normalize: { name: 'name', gtin: 'gtin' },
  deletion: { field: 'LVORM', equals: 'X' },
  matching: { exact: ['gtin'] },
};

export const marmProductUnitSpec: MappingSpec = {
  specVersion: 1,
  name: 'sap-marm-product-units',
  entity: 'productUnit',
  system: 'SAP-ECC-PRD',
  source: sapCsv,
  key: { from: ['MATNR', 'MEINH'], transforms: [{ op: 'stripLeadingZeros' }, { op: 'trim' }, { op: 'join', separator: '/' }] },
  fields: {
    product: { from: 'MATNR', transforms: [{ op: 'stripLeadingZeros' }, { op: 'reference', entity: 'product' }] },
    unit: { from: 'MEINH', transforms: [{ op: 'codeList', list: 'sapUnit' }, { op: 'lookup', table: { H87: 'EA', PK: 'PK', CT: 'CS', CS: 'CS', KGM: 'KG', LTR: 'L' } }] },
    factor: { from: 'UMREZ', transforms: [{ op: 'decimal', scale: 3, rounding: 'reject', decimalSeparator: ',' }], when: { field: 'UMREN', in: ['1', ''] } },
    gtin: { from: 'EAN11', transforms: [{ op: 'trim' }] },
  },
};
