const UNMAPPED_BRAND = Symbol.for('flowrun.unmapped');

/** A value passed whole to every run of a `.map()`. */
export interface Unmapped<T> {
  readonly [UNMAPPED_BRAND]: true;
  readonly value: T;
}

/** Passes `value` whole to every mapped run instead of iterating over it. */
export const unmapped = <T>(value: T): Unmapped<T> => ({ [UNMAPPED_BRAND]: true, value });

export const isUnmapped = (value: unknown): value is Unmapped<unknown> =>
  typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[UNMAPPED_BRAND] === true;
