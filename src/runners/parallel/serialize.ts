// Errors across a thread boundary: structured clone keeps little of an
// Error (custom fields and classes are lost), so it is sent as plain data and
// rebuilt with the same name, message, stack and cause.

export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
  readonly cause?: SerializedError | undefined;
  /** A non-Error that was thrown (a string, an object), as text. */
  readonly thrown?: string | undefined;
}

const MAX_CAUSE_DEPTH = 5;

export const serializeError = (error: unknown, depth = 0): SerializedError => {
  if (error instanceof Error) {
    return {
      name: error.name,
      message: error.message,
      stack: error.stack,
      cause: error.cause !== undefined && depth < MAX_CAUSE_DEPTH ? serializeError(error.cause, depth + 1) : undefined,
    };
  }
  let thrown: string;
  try {
    thrown = typeof error === 'string' ? error : (JSON.stringify(error) ?? String(error));
  } catch {
    thrown = String(error);
  }
  return { name: 'Error', message: thrown, stack: undefined, thrown };
};

export const deserializeError = (data: SerializedError): unknown => {
  if (data.thrown !== undefined) {
    return data.thrown;
  }
  const error = new Error(data.message, data.cause === undefined ? undefined : { cause: deserializeError(data.cause) });
  error.name = data.name;
  error.stack = data.stack ?? `${data.name}: ${data.message}`;
  return error;
};
