// Where a JSON text first goes wrong, as a line and a column. Node 20's
// JSON.parse names no position for some errors (an unexpected token), and a
// user fixing a config file needs the line: this scanner walks the grammar
// just far enough to find it.

interface Cursor {
  readonly text: string;
  at: number;
}

class JsonSyntaxStop extends Error {
  readonly at: number;
  constructor(at: number) {
    super('JSON syntax error');
    this.at = at;
  }
}

const skipSpace = (cursor: Cursor): void => {
  while (/[ \t\n\r]/.test(cursor.text[cursor.at] ?? '')) {
    cursor.at += 1;
  }
};

const expect = (cursor: Cursor, char: string): void => {
  skipSpace(cursor);
  if (cursor.text[cursor.at] !== char) {
    throw new JsonSyntaxStop(cursor.at);
  }
  cursor.at += 1;
};

const scanString = (cursor: Cursor): void => {
  expect(cursor, '"');
  for (;;) {
    const char = cursor.text[cursor.at];
    if (char === undefined || char < ' ') {
      throw new JsonSyntaxStop(cursor.at);
    }
    cursor.at += char === '\\' ? 2 : 1;
    if (char === '"') {
      return;
    }
  }
};

const LITERAL = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/;

const scanValue = (cursor: Cursor): void => {
  skipSpace(cursor);
  const char = cursor.text[cursor.at];
  if (char === '"') {
    scanString(cursor);
  } else if (char === '{' || char === '[') {
    const close = char === '{' ? '}' : ']';
    cursor.at += 1;
    skipSpace(cursor);
    if (cursor.text[cursor.at] === close) {
      cursor.at += 1;
      return;
    }
    for (;;) {
      if (char === '{') {
        skipSpace(cursor);
        scanString(cursor);
        expect(cursor, ':');
      }
      scanValue(cursor);
      skipSpace(cursor);
      if (cursor.text[cursor.at] === ',') {
        cursor.at += 1;
        continue;
      }
      expect(cursor, close);
      return;
    }
  } else {
    const literal = LITERAL.exec(cursor.text.slice(cursor.at))?.[0];
    if (literal === undefined) {
      throw new JsonSyntaxStop(cursor.at);
    }
    cursor.at += literal.length;
  }
};

/** The line and column (from 1) of the first JSON syntax error in `text`, or undefined when there is none. */
export const findJsonErrorPosition = (text: string): { line: number; column: number } | undefined => {
  const cursor: Cursor = { text, at: 0 };
  try {
    scanValue(cursor);
    skipSpace(cursor);
    if (cursor.at < text.length) {
      throw new JsonSyntaxStop(cursor.at);
    }
    return undefined;
  } catch (error) {
    if (!(error instanceof JsonSyntaxStop)) {
      throw error;
    }
    const before = text.slice(0, error.at).split('\n');
    return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
  }
};
