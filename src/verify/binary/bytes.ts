// A bounds-checked view over the first bytes of a file whose full length is known.
// Reading past the file's end throws OutOfRange (the file is truncated or lies); reading past what
// has been loaded so far throws NeedMore, so the caller can load a longer prefix and parse again.

/** The file does not contain the bytes its own headers point at. */
export class OutOfRange extends Error {
  constructor(readonly end: number, what = 'read') {
    super(`${what} past the end of the file (byte ${end})`);
    this.name = 'OutOfRange';
  }
}

/** A header field holds a value no real file has. */
export class Malformed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Malformed';
  }
}

/** The bytes exist in the file but are beyond the loaded prefix. */
export class NeedMore extends Error {
  constructor(readonly end: number) {
    super(`need the first ${end} bytes`);
    this.name = 'NeedMore';
  }
}

export class ByteView {
  constructor(readonly bytes: Buffer, readonly total: number, public littleEndian = true) {}

  check(offset: number, length: number): void {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) throw new Malformed(`invalid offset ${offset}`);
    const end = offset + length;
    if (end > this.total) throw new OutOfRange(end);
    if (end > this.bytes.length) throw new NeedMore(end);
  }

  u8(offset: number): number {
    this.check(offset, 1);
    return this.bytes[offset]!;
  }

  u16(offset: number): number {
    this.check(offset, 2);
    return this.littleEndian ? this.bytes.readUInt16LE(offset) : this.bytes.readUInt16BE(offset);
  }

  u32(offset: number): number {
    this.check(offset, 4);
    return this.littleEndian ? this.bytes.readUInt32LE(offset) : this.bytes.readUInt32BE(offset);
  }

  /** A 64-bit value; values beyond 2^53 cannot be offsets or sizes in a real file, so they throw. */
  u64(offset: number): number {
    this.check(offset, 8);
    const value = this.littleEndian ? this.bytes.readBigUInt64LE(offset) : this.bytes.readBigUInt64BE(offset);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new Malformed(`value 0x${value.toString(16)} out of range`);
    return Number(value);
  }

  /** A signed 64-bit value clipped to the safe range (dynamic tags are signed). */
  i64(offset: number): number {
    this.check(offset, 8);
    const value = this.littleEndian ? this.bytes.readBigInt64LE(offset) : this.bytes.readBigInt64BE(offset);
    const max = BigInt(Number.MAX_SAFE_INTEGER);
    return Number(value > max ? max : value < -max ? -max : value);
  }

  /** A NUL-terminated string of at most `max` bytes starting at `offset`, not reaching past `limit`. */
  cstring(offset: number, max = 4096, limit = this.total): string {
    const end = Math.min(offset + max, limit, this.total);
    this.check(offset, 0);
    if (offset >= end) throw new OutOfRange(offset, 'string');
    const available = Math.min(end, this.bytes.length);
    const nul = this.bytes.subarray(offset, available).indexOf(0);
    if (nul !== -1) return this.bytes.toString('latin1', offset, offset + nul);
    if (available < end) throw new NeedMore(end);
    throw new OutOfRange(end, 'unterminated string');
  }
}
