import { appendFileSync } from 'node:fs';

let traceFile;

export const initialize = (data) => {
  traceFile = data.file;
};

export const resolve = async (specifier, context, nextResolve) => {
  const result = await nextResolve(specifier, context);
  if (traceFile) {
    appendFileSync(traceFile, `${result.url}\n`);
  }
  return result;
};
