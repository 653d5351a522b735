/** Check-digit rules of VAT and tax ids; each takes the compact body (no country prefix) of a well-formed id. */

const digitAt = (text: string, index: number): number => text.charCodeAt(index) - 48;
const crossSumOfDouble = (digit: number): number => (digit * 2 > 9 ? digit * 2 - 9 : digit * 2);

function weightedSum(digits: string, weights: readonly number[]): number {
  let sum = 0;
  for (let index = 0; index < weights.length; index++) sum += digitAt(digits, index) * (weights[index] ?? 0);
  return sum;
}

/** Remainder of a long decimal string modulo `divisor`, digit by digit (no BigInt). */
function remainderOf(decimal: string, divisor: number): number {
  let remainder = 0;
  for (let index = 0; index < decimal.length; index++) remainder = (remainder * 10 + digitAt(decimal, index)) % divisor;
  return remainder;
}

/** Luhn: every second digit from the right doubled; the total is a multiple of 10. */
export function hasLuhnChecksum(digits: string): boolean {
  let sum = 0;
  for (let index = digits.length - 1, double = false; index >= 0; index--, double = !double) {
    const digit = digitAt(digits, index);
    sum += double ? crossSumOfDouble(digit) : digit;
  }
  return sum % 10 === 0;
}

/** DE USt-IdNr: 9 digits, ISO 7064 MOD 11,10. */
export function isValidGermanVat(body: string): boolean {
  let product = 10;
  for (let index = 0; index < 8; index++) {
    const sum = (digitAt(body, index) + product) % 10 || 10;
    product = (sum * 2) % 11;
  }
  return (11 - product) % 10 === digitAt(body, 8);
}

/** AT UID: `U` + 8 digits; alternating weights 1,2 with cross sums, offset 4. */
export function isValidAustrianVat(body: string): boolean {
  let sum = 0;
  for (let index = 1; index < 8; index++) {
    const digit = digitAt(body, index);
    sum += index % 2 === 0 ? crossSumOfDouble(digit) : digit;
  }
  return (10 - ((sum + 4) % 10)) % 10 === digitAt(body, 8);
}

/** FR: 2-character key + SIREN; a numeric key is (12 + 3 * (SIREN mod 97)) mod 97, a letter key is not checked. */
export function isValidFrenchVat(body: string): boolean {
  const key = body.slice(0, 2);
  if (!/^\d\d$/.test(key)) return true;
  return Number(key) === (12 + 3 * (Number(body.slice(2)) % 97)) % 97;
}

/** IT partita IVA: 11 digits, Luhn. */
export const isValidItalianVat = hasLuhnChecksum;

const dniLetters = 'TRWAGMYFPDXBNJZSQVHLCKE';

/** ES NIF: DNI (8 digits + letter), NIE (X/Y/Z + 7 digits + letter), K/L/M + 7 digits + letter, or CIF. */
export function isValidSpanishTaxId(body: string): boolean {
  const first = body.charAt(0);
  const last = body.charAt(8);
  if (/^\d{8}[A-Z]$/.test(body)) return dniLetters.charAt(Number(body.slice(0, 8)) % 23) === last;
  if (/^[XYZ]\d{7}[A-Z]$/.test(body)) return dniLetters.charAt(Number('XYZ'.indexOf(first) + body.slice(1, 8)) % 23) === last;
  if (/^[KLM]\d{7}[A-Z]$/.test(body)) return dniLetters.charAt(Number(body.slice(1, 8)) % 23) === last;
  if (!/^[ABCDEFGHJNPQRSUVW]\d{7}[0-9A-J]$/.test(body)) return false;
  let sum = 0;
  for (let index = 1; index < 8; index++) sum += index % 2 === 0 ? digitAt(body, index) : crossSumOfDouble(digitAt(body, index));
  const control = (10 - (sum % 10)) % 10;
  const letter = 'JABCDEFGHI'.charAt(control);
  if ('PQRSNW'.includes(first)) return last === letter;
  if ('ABEH'.includes(first)) return last === String(control);
  return last === letter || last === String(control);
}

/** NL btw: 9 digits + `B` + 2 digits; the old mod 11 scheme or the 2020 mod 97 scheme for sole traders. */
export function isValidDutchVat(body: string): boolean {
  const weights = [9, 8, 7, 6, 5, 4, 3, 2];
  const mod11 = weightedSum(body, weights) % 11;
  if (mod11 !== 10 && mod11 === digitAt(body, 8)) return true;
  // `NL` + body with letters as numbers (N = 23, L = 21, B = 11), mod 97 = 1 (as for IBANs).
  return remainderOf(`2321${body.slice(0, 9)}11${body.slice(10)}`, 97) === 1;
}

/** BE: 10 digits starting with 0 or 1; the last two are 97 - (the first eight mod 97). */
export function isValidBelgianVat(body: string): boolean {
  return 97 - (Number(body.slice(0, 8)) % 97) === Number(body.slice(8));
}

/** GB: 9 digits (12 with a branch suffix); weights 8..2 plus the 2-digit check, mod 97 or the 9755 scheme (+55). */
export function isValidBritishVat(body: string): boolean {
  if (/^(?:GD[0-4]|HA[5-9])\d\d$/.test(body)) return true; // government departments and health authorities
  const total = weightedSum(body, [8, 7, 6, 5, 4, 3, 2]) + Number(body.slice(7, 9));
  return total % 97 === 0 || (total + 55) % 97 === 0;
}

/** PL NIP: 10 digits, weights 6,5,7,2,3,4,5,6,7, mod 11. */
export function isValidPolishVat(body: string): boolean {
  return weightedSum(body, [6, 5, 7, 2, 3, 4, 5, 6, 7]) % 11 === digitAt(body, 9);
}

/** CH UID: 9 digits after `CHE`, weights 5,4,3,2,7,6,5,4, check 11 - (sum mod 11), 10 impossible. */
export function isValidSwissUid(body: string): boolean {
  const check = (11 - (weightedSum(body, [5, 4, 3, 2, 7, 6, 5, 4]) % 11)) % 11;
  return check !== 10 && check === digitAt(body, 8);
}
