import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addressMatchKey, emailMatchKey, nameMatchKey, phoneMatchKey } from './match-keys.ts';

const letters = [...'abcdefghijklmnopqrstuvwxyzäöüßéèêàçñøåæœłıİşğčřžőűÄÖÜÉÈÀÇÑØÅÆŒŁŞĞČŘŽ'];
const word = fc.array(fc.constantFrom(...letters, '1', '2', '.', '-', "'", '&'), { minLength: 1, maxLength: 10 }).map((chars) => chars.join(''));
const nameLike = fc.array(fc.oneof(word, fc.constantFrom('GmbH', 'S.A.', '& Co. KG', 'der', 'Straße', 'St.', 'Sp. z o.o.')), { minLength: 1, maxLength: 6 }).map((words) => words.join(' '));
const anyText = fc.oneof(nameLike, fc.string({ unit: 'binary', maxLength: 30 }));
const withoutAccents = (text: string) => text.normalize('NFD').replace(/\p{Mn}/gu, '').normalize('NFC');
const spaced = (text: string, space: string) => text.split(' ').join(space);
const spaces = fc.constantFrom(' ', '  ', '\t', '\u00a0', ' \n ');

describe('nameMatchKey', () => {
  it.each([
    ['Bäckerei Müller GmbH', 'BAECKEREI MULLER', false], // ä -> a, not ae: `Baeckerei` is another spelling
    ['Bäckerei Müller GmbH', 'BACKEREI MÜLLER G.M.B.H.', true],
    ['Müller GmbH & Co. KG', 'Müller', true],
    ['Müller & Söhne', 'Müller und Söhne', true],
    ['Schmidt and Partner Ltd', 'Schmidt & Partner Limited', true],
    ['Boulangerie de la Gare S.A.R.L.', 'BOULANGERIE GARE SARL', true],
    ['Café Crème', 'Cafe Creme', true],
    ['Straßenbau Meier', 'Strassenbau Meier', true],
    ['Ørsted A/S', 'Orsted AS', true],
    ['Łódź Piekarnia Sp. z o.o.', 'LODZ PIEKARNIA', true],
    ['Zoo Berlin GmbH', 'Berlin', false], // `zoo` is only a legal form after `sp`
    ['McDonald’s', "McDonalds", true],
    ['A.B.C. Markt', 'ABC Markt', true],
    ['The Body Shop', 'Body Shop', true],
    ['ＥＤＥＫＡ Markt', 'Edeka Markt', true], // full-width
    ['Filiale 12', 'Filiale 13', false],
    ['فرع ١٢', 'فرع 12', true], // Arabic-Indic digits
    ['DİYARBAKIR GIDA A.Ş.', 'diyarbakir gida', true],
  ])('%j and %j match: %s', (left, right, same) => {
    expect(nameMatchKey(left) === nameMatchKey(right)).toBe(same);
  });

  it('keeps a name made only of legal forms or articles, and is null for a blank one', () => {
    expect(nameMatchKey('AG')).toBe('ag');
    expect(nameMatchKey('The')).toBe('the');
    expect(nameMatchKey('  ...  ')).toBeNull();
    expect(nameMatchKey('')).toBeNull();
  });

  it('does not change under case, accents, extra whitespace or NFC/NFD form', () => {
    fc.assert(
      fc.property(nameLike, spaces, (name, space) => {
        const key = nameMatchKey(name);
        expect(nameMatchKey(name.toUpperCase())).toBe(key);
        expect(nameMatchKey(name.toLowerCase())).toBe(key);
        expect(nameMatchKey(withoutAccents(name))).toBe(key);
        expect(nameMatchKey(` ${spaced(name, space)} `)).toBe(key);
        expect(nameMatchKey(name.normalize('NFD'))).toBe(nameMatchKey(name.normalize('NFC')));
      }),
      { numRuns: 2000 },
    );
  });

  it('does not change under case or NFC/NFD form for any Unicode text', () => {
    fc.assert(
      fc.property(anyText, (name) => {
        expect(nameMatchKey(name.toUpperCase())).toBe(nameMatchKey(name.toLowerCase())); // `ᾀ` upper-cases to two letters
        expect(nameMatchKey(name.normalize('NFD'))).toBe(nameMatchKey(name.normalize('NFC')));
      }),
      { numRuns: 2000 },
    );
  });

  it('is stable when the letters left around a dropped legal form join into another legal form', () => {
    const key = nameMatchKey('a GmbH ş&aa GmbH');
    expect(nameMatchKey(key!)).toBe(key);
  });

  it('never throws and is stable when applied to its own output', () => {
    fc.assert(
      fc.property(anyText, (name) => {
        const key = nameMatchKey(name);
        if (key !== null) expect(nameMatchKey(key)).toBe(key);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('addressMatchKey', () => {
  it.each([
    [['Hauptstr. 12', '70173', 'Stuttgart'], ['Hauptstraße 12', '70173', 'STUTTGART'], true],
    [['Hauptstr.12a', '70173', 'Stuttgart'], ['Haupt Strasse 12 A', 'D-70173', 'stuttgart'], true],
    [['Berliner Str. 5', '10115', 'Berlin'], ['Berlinerstraße 5', '10115', 'Berlin'], true],
    [['Hauptstr. 12', '70173', 'Stuttgart'], ['Hauptstr. 14', '70173', 'Stuttgart'], false],
    [['Kerkstraat 5', '1012 AB', 'Amsterdam'], ['Kerkstr. 5', '1012ab', 'Amsterdam'], true],
    [['Main St. 5', 'SW1A 1AA', 'London'], ['Main Street 5', 'sw1a1aa', 'London'], true],
    [['5 Park Ave', '10022', 'New York'], ['5 Park Avenue', '10022', 'New York'], true],
    [['12 Abbey Rd', 'NW8 9AY', 'London'], ['12 Abbey Road', 'NW8 9AY', 'London'], true],
    [['St. Georg-Str. 3', '20099', 'Hamburg'], ['Sankt-Georg-Strasse 3', '20099', 'Hamburg'], false], // Sankt is not expanded
    [['12 Bd Haussmann', '75009', 'Paris'], ['12 Boulevard Haussmann', 'F-75009', 'Paris'], true],
    [['3 ch. des Vignes', '1208', 'Genève'], ['3 Chemin des Vignes', 'CH-1208', 'Geneve'], true],
    [['Rue St-Honoré 5', '75001', 'Paris'], ['Rue Saint Honoré 5', '75001', 'PARIS'], true],
    [['P.zza Duomo 1', '20121', 'Milano'], ['Piazza Duomo 1', '20121', 'Milano'], true],
    [['Schillerpl. 4', '70173', 'Stuttgart'], ['Schillerplatz 4', '70173', 'Stuttgart'], true],
    [['Av. Diagonal 640', '08017', 'Barcelona'], ['Avenida Diagonal 640', '08017', 'Barcelona'], true],
  ])('%j and %j match: %s', ([street, postal, city], [otherStreet, otherPostal, otherCity], same) => {
    expect(addressMatchKey(street, postal, city) === addressMatchKey(otherStreet, otherPostal, otherCity)).toBe(same);
  });

  it('is null only when street, postal code and city are all blank', () => {
    expect(addressMatchKey(null, undefined, '  ')).toBeNull();
    expect(addressMatchKey(null, '70173', null)).toBe('|70173|');
  });

  it('does not change under case, accents, extra whitespace or NFC/NFD form', () => {
    fc.assert(
      fc.property(nameLike, nameLike, spaces, (street, city, space) => {
        const key = addressMatchKey(street, 'ab 12', city);
        expect(addressMatchKey(street.toUpperCase(), 'AB 12', city.toUpperCase())).toBe(key);
        expect(addressMatchKey(withoutAccents(street), 'ab12', withoutAccents(city))).toBe(key);
        expect(addressMatchKey(spaced(street, space), ` ab${space}12 `, spaced(city, space))).toBe(key);
        expect(addressMatchKey(street.normalize('NFD'), 'ab 12', city.normalize('NFD'))).toBe(addressMatchKey(street.normalize('NFC'), 'ab 12', city.normalize('NFC')));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('phoneMatchKey and emailMatchKey', () => {
  it('gives the E.164 digits for every spelling of one number, and null for an invalid one', () => {
    const keys = ['0711 / 123 45-67', '+49 (0)711 1234567', '0049 711 1234567', '+497111234567 ext. 5'].map((phone) => phoneMatchKey(phone, 'DE'));
    expect(new Set(keys)).toEqual(new Set(['497111234567']));
    expect(phoneMatchKey('12', 'DE')).toBeNull();
  });

  it('gives one key for case, IDN and wrapper variants of an address, keeping dots and tags', () => {
    expect(emailMatchKey('<Info@Müller.DE>')).toBe(emailMatchKey('mailto:info@xn--mller-kva.de'));
    expect(emailMatchKey('max.muster+shop@gmail.com')).toBe('max.muster+shop@gmail.com');
    expect(emailMatchKey('not an address')).toBeNull();
  });
});
