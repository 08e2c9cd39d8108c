// What counts as personal data in a prompt. Digit patterns are broad on purpose and then checked
// (Luhn for cards, ISO 7064 mod-97 for IBANs), so order numbers and dates are not masked by mistake.

export interface PiiDetector {
  /** Shown in the mask: [EMAIL], [CARD], ... */
  label: string;
  /** Must be global (`g`). */
  pattern: RegExp;
  /** A candidate that fails is left as it is, and later detectors may not mask inside it either. */
  isValid?: (match: string) => boolean;
}

const digitsOf = (text: string): string => text.replace(/\D/g, '');

/** Luhn checksum: every second digit from the right doubled. Catches single-digit typos and most transpositions. */
export function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/** ISO 13616: move the first four characters to the end, letters → 10..35, the number mod 97 must be 1. */
export function passesIbanCheck(iban: string): boolean {
  const compact = iban.replace(/\s/g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(compact)) return false;
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  let remainder = 0;
  for (const char of rearranged) {
    const value = char >= 'A' ? String(char.charCodeAt(0) - 55) : char;
    for (const digit of value) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder === 1;
}

function isPhoneNumber(match: string): boolean {
  const count = digitsOf(match).length;
  // International numbers (+CC) may be short; national ones need the separators or parentheses of a written number.
  if (match.startsWith('+')) return count >= 8 && count <= 15;
  return count >= 10 && count <= 15 && /[\s().-]/.test(match);
}

export const BUILT_IN_DETECTORS: readonly PiiDetector[] = [
  { label: 'EMAIL', pattern: /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g },
  {
    label: 'IBAN',
    pattern: /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b/g,
    isValid: passesIbanCheck,
  },
  {
    label: 'CARD',
    // Not after '+': an international phone number is never a card.
    pattern: /(?<![\d+-])\d(?:[ -]?\d){12,18}(?![\d-])/g,
    isValid: (match) => passesLuhn(digitsOf(match)),
  },
  // US social security number (area 000, 666 and 9xx are never issued) and UK national insurance number.
  { label: 'NATIONAL_ID', pattern: /\b(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}\b/g },
  { label: 'NATIONAL_ID', pattern: /\b[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b/g },
  {
    label: 'PHONE',
    pattern: /(?<![\w+])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d{2,4}(?:[ .-]?\d{2,4}){1,4}(?![\w-])/g,
    isValid: isPhoneNumber,
  },
];
