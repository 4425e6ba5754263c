// Quotes a string the way Python's repr() does, because Prefect's log lines
// (and the users who grep them) expect `Flow run 'name'` and
// `NotReady("Upstream task run 'x' did not ...")` exactly.
export const pythonRepr = (text: string): string => {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let body = '';
  for (const char of text) {
    body += escapeChar(char, quote);
  }
  return quote + body + quote;
};

const escapeChar = (char: string, quote: string): string => {
  switch (char) {
    case '\\':
      return '\\\\';
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\t':
      return '\\t';
    default:
      if (char === quote) {
        return '\\' + char;
      }
      return isControl(char) ? `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}` : char;
  }
};

const isControl = (char: string): boolean => {
  const code = char.charCodeAt(0);
  return code < 0x20 || code === 0x7f;
};
