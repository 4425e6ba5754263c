// Text as XML 1.0 may hold it, for the JUnit report: terminal colours
// stripped (a task's error may carry them), the characters XML forbids
// dropped (a NUL or a stray control character makes Jenkins reject the whole
// file), and markup escaped.

// eslint-disable-next-line no-control-regex -- the escapes are what is matched
const ANSI_ESCAPES = /\u001b\[[0-9;?]*[A-Za-z]|\u001b\][^\u0007]*\u0007/g;
// Outside XML 1.0's Char production: C0 controls but tab, newline and return; lone surrogates; U+FFFE and U+FFFF.
// eslint-disable-next-line no-control-regex -- the controls are what is matched
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const clean = (text: string): string => text.replace(ANSI_ESCAPES, '').replace(FORBIDDEN, '');

/** Text content of an element. */
export const xmlText = (text: string): string => clean(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A value between double quotes; newlines and tabs kept as character references (an attribute would fold them into spaces). */
export const xmlAttribute = (text: string): string =>
  clean(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;');
