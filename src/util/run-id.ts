import { randomBytes } from 'node:crypto';

// Run ids in UUID v4 form, made for every task run. crypto.randomUUID()
// builds its string by concatenation, and V8 keeps such a string as a tree
// of about fifteen pieces (some 500 bytes) for as long as the run is
// referenced; this one is a single flat string of 36 bytes. Random bytes are
// drawn for many ids at once, as randomUUID does.

const IDS_PER_DRAW = 256;
let pool = Buffer.alloc(0);
let offset = 0;

export const newRunId = (): string => {
  if (offset >= pool.length) {
    pool = randomBytes(16 * IDS_PER_DRAW);
    offset = 0;
  }
  // Version 4, variant 10xx (RFC 9562).
  pool[offset + 6] = ((pool[offset + 6] ?? 0) & 0x0f) | 0x40;
  pool[offset + 8] = ((pool[offset + 8] ?? 0) & 0x3f) | 0x80;
  const hex = pool.toString('hex', offset, offset + 16);
  offset += 16;
  // join() builds a flat string, where `+` would make a tree again.
  return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join('-');
};
