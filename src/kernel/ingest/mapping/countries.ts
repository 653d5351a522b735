/**
 * ISO 3166-1 countries for the `iso3166Alpha3` and `countryName` code lists. The names come from
 * Intl (CLDR) in English, German and French, plus the common aliases CLDR does not give; they are
 * matched without case, accents or punctuation ("Osterreich", "COTE D'IVOIRE").
 */

/** Alpha-3 then alpha-2, the 249 officially assigned codes plus XKX/XK (Kosovo, user-assigned, widely used). */
const pairs = `AFG AF ALA AX ALB AL DZA DZ ASM AS AND AD AGO AO AIA AI ATA AQ ATG AG ARG AR ARM AM ABW AW AUS AU AUT AT
AZE AZ BHS BS BHR BH BGD BD BRB BB BLR BY BEL BE BLZ BZ BEN BJ BMU BM BTN BT BOL BO BES BQ BIH BA BWA BW BVT BV BRA BR
IOT IO BRN BN BGR BG BFA BF BDI BI CPV CV KHM KH CMR CM CAN CA CYM KY CAF CF TCD TD CHL CL CHN CN CXR CX CCK CC COL CO
COM KM COG CG COD CD COK CK CRI CR CIV CI HRV HR CUB CU CUW CW CYP CY CZE CZ DNK DK DJI DJ DMA DM DOM DO ECU EC EGY EG
SLV SV GNQ GQ ERI ER EST EE SWZ SZ ETH ET FLK FK FRO FO FJI FJ FIN FI FRA FR GUF GF PYF PF ATF TF GAB GA GMB GM GEO GE
DEU DE GHA GH GIB GI GRC GR GRL GL GRD GD GLP GP GUM GU GTM GT GGY GG GIN GN GNB GW GUY GY HTI HT HMD HM VAT VA HND HN
HKG HK HUN HU ISL IS IND IN IDN ID IRN IR IRQ IQ IRL IE IMN IM ISR IL ITA IT JAM JM JPN JP JEY JE JOR JO KAZ KZ KEN KE
KIR KI PRK KP KOR KR KWT KW KGZ KG LAO LA LVA LV LBN LB LSO LS LBR LR LBY LY LIE LI LTU LT LUX LU MAC MO MDG MG MWI MW
MYS MY MDV MV MLI ML MLT MT MHL MH MTQ MQ MRT MR MUS MU MYT YT MEX MX FSM FM MDA MD MCO MC MNG MN MNE ME MSR MS MAR MA
MOZ MZ MMR MM NAM NA NRU NR NPL NP NLD NL NCL NC NZL NZ NIC NI NER NE NGA NG NIU NU NFK NF MKD MK MNP MP NOR NO OMN OM
PAK PK PLW PW PSE PS PAN PA PNG PG PRY PY PER PE PHL PH PCN PN POL PL PRT PT PRI PR QAT QA REU RE ROU RO RUS RU RWA RW
BLM BL SHN SH KNA KN LCA LC MAF MF SPM PM VCT VC WSM WS SMR SM STP ST SAU SA SEN SN SRB RS SYC SC SLE SL SGP SG SXM SX
SVK SK SVN SI SLB SB SOM SO ZAF ZA SGS GS SSD SS ESP ES LKA LK SDN SD SUR SR SJM SJ SWE SE CHE CH SYR SY TWN TW TJK TJ
TZA TZ THA TH TLS TL TGO TG TKL TK TON TO TTO TT TUN TN TUR TR TKM TM TCA TC TUV TV UGA UG UKR UA ARE AE GBR GB USA US
UMI UM URY UY UZB UZ VUT VU VEN VE VNM VN VGB VG VIR VI WLF WF ESH EH YEM YE ZMB ZM ZWE ZW XKX XK`.split(/\s+/);

const alpha2ByAlpha3 = new Map<string, string>();
for (let index = 0; index < pairs.length; index += 2) alpha2ByAlpha3.set(pairs[index]!, pairs[index + 1]!);
const alpha2Codes = new Set(alpha2ByAlpha3.values());

export function countryByAlpha3(code: string): string | undefined {
  return alpha2ByAlpha3.get(code);
}

export function countryCodesAlpha3(): string[] {
  return [...alpha2ByAlpha3.keys()];
}

export function isCountryAlpha2(code: string): boolean {
  return alpha2Codes.has(code);
}

/** Aliases CLDR's display names miss: short forms, older names, official long names. */
const aliases: Readonly<Record<string, string>> = {
  usa: 'US', 'united states of america': 'US', america: 'US', 'vereinigte staaten von amerika': 'US', 'etats unis d amerique': 'US',
  uk: 'GB', 'great britain': 'GB', britain: 'GB', england: 'GB', scotland: 'GB', wales: 'GB', grossbritannien: 'GB', 'grande bretagne': 'GB', angleterre: 'GB',
  holland: 'NL', 'the netherlands': 'NL', 'niederlande': 'NL', 'pays bas': 'NL',
  'federal republic of germany': 'DE', 'bundesrepublik deutschland': 'DE', brd: 'DE',
  russia: 'RU', 'russian federation': 'RU', 'czech republic': 'CZ', tschechien: 'CZ', 'ivory coast': 'CI', vatican: 'VA', 'holy see': 'VA',
  'south korea': 'KR', 'republic of korea': 'KR', 'north korea': 'KP', turkey: 'TR', swaziland: 'SZ', macedonia: 'MK', burma: 'MM', 'cape verde': 'CV',
  'schweizerische eidgenossenschaft': 'CH', 'confederation suisse': 'CH', 'republik osterreich': 'AT', 'grand duchy of luxembourg': 'LU',
};

/** Lower case, no accents, punctuation as spaces: "Côte d’Ivoire" -> "cote d ivoire". */
export function nameKey(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

let byName: Map<string, string> | undefined;
let englishNames: Intl.DisplayNames | undefined;

function namesIndex(): Map<string, string> {
  if (byName) return byName;
  byName = new Map();
  for (const locale of ['en', 'de', 'fr']) {
    const names = new Intl.DisplayNames([locale], { type: 'region' });
    for (const code of alpha2Codes) {
      const key = nameKey(names.of(code) ?? '');
      if (key && !byName.has(key)) byName.set(key, code);
    }
  }
  for (const [alias, code] of Object.entries(aliases)) if (!byName.has(alias)) byName.set(alias, code);
  return byName;
}

/** A country name (English, German, French) or alpha-2/alpha-3 code -> alpha-2. */
export function countryByName(input: string): string | undefined {
  const upper = input.trim().toUpperCase();
  if (upper.length === 2 && alpha2Codes.has(upper)) return upper;
  if (upper.length === 3 && alpha2ByAlpha3.has(upper)) return alpha2ByAlpha3.get(upper);
  return namesIndex().get(nameKey(input));
}

/** The English name of an alpha-2 code (export of `countryName`). */
export function countryNameOf(alpha2: string): string | undefined {
  if (!alpha2Codes.has(alpha2)) return undefined;
  englishNames ??= new Intl.DisplayNames(['en'], { type: 'region' });
  return englishNames.of(alpha2);
}
