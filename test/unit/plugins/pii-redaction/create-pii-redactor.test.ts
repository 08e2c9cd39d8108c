import { describe, expect, it } from 'vitest';
import { createPiiRedactor } from '../../../../src/plugins/pii-redaction/create-pii-redactor.js';
import { passesIbanCheck, passesLuhn } from '../../../../src/plugins/pii-redaction/pii-detectors.js';

const redactor = createPiiRedactor();

describe('createPiiRedactor', () => {
  it.each([
    ['mail me at jane.doe+work@example.co.uk please', 'mail me at [EMAIL] please'],
    ['card 4111 1111 1111 1111 expires soon', 'card [CARD] expires soon'],
    ['card 4111-1111-1111-1111.', 'card [CARD].'],
    ['card 5500005555555559', 'card [CARD]'],
    ['IBAN GB82 WEST 1234 5698 7654 32 thanks', 'IBAN [IBAN] thanks'],
    ['IBAN DE89370400440532013000', 'IBAN [IBAN]'],
    ['SSN 123-45-6789 on file', 'SSN [NATIONAL_ID] on file'],
    ['NI number AB 12 34 56 C', 'NI number [NATIONAL_ID]'],
    ['call +44 20 7946 0958 now', 'call [PHONE] now'],
    ['call (555) 123-4567 now', 'call [PHONE] now'],
    ['call 555-123-4567 now', 'call [PHONE] now'],
    ['call +1 415 555 2671', 'call [PHONE]'],
  ])('masks %j', (input, expected) => {
    expect(redactor.redact(input)).toBe(expected);
  });

  it.each([
    ['a 16-digit number failing Luhn', 'order 4111 1111 1111 1112 shipped'],
    ['the same without separators', 'order 4111111111111112 shipped'],
    ['an IBAN-shaped string failing mod-97', 'ref GB82 WEST 1234 5698 7654 33'],
    ['a date', 'on 2024-01-15 at 10:30'],
    ['a short number', 'I have 42 apples and 1234567 pears'],
    ['a never-issued SSN area', 'id 000-12-3456'],
    ['plain prose', 'The quick brown fox jumps over the lazy dog.'],
  ])('leaves %s alone', (_name, input) => {
    expect(redactor.redact(input)).toBe(input);
  });

  it('masks several kinds in one text', () => {
    expect(redactor.redact('jo@x.io, 4111111111111111, 123-45-6789')).toBe('[EMAIL], [CARD], [NATIONAL_ID]');
  });

  it('applies configured patterns before the built-ins, labelled by name', () => {
    const custom = createPiiRedactor({ patterns: { employee_id: 'EMP-\\d{6}', 'badge no': 'B#\\d+' } });
    expect(custom.redact('EMP-123456 with B#77 and bob@example.com')).toBe('[EMPLOYEE_ID] with [BADGE_NO] and [EMAIL]');
  });

  it('refuses an invalid or empty-matching pattern, naming it', () => {
    expect(() => createPiiRedactor({ patterns: { broken: '(' } })).toThrow(/patterns\.broken: invalid regular expression/);
    expect(() => createPiiRedactor({ patterns: { everything: '.*' } })).toThrow(/patterns\.everything: .*empty string/);
  });
});

describe('checksums', () => {
  it('Luhn accepts test card numbers and rejects a changed digit', () => {
    expect(passesLuhn('4111111111111111')).toBe(true);
    expect(passesLuhn('378282246310005')).toBe(true);
    expect(passesLuhn('4111111111111121')).toBe(false);
  });

  it('IBAN mod-97 accepts real examples and rejects a changed digit', () => {
    expect(passesIbanCheck('GB82 WEST 1234 5698 7654 32')).toBe(true);
    expect(passesIbanCheck('FR1420041010050500013M02606')).toBe(true);
    expect(passesIbanCheck('GB82 WEST 1234 5698 7654 23')).toBe(false);
  });
});
