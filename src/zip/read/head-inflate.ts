// Decodes only the first bytes of a raw deflate stream (RFC 1951), in plain TypeScript.
// Finding magic bytes needs ~64 bytes of each of thousands of entries; creating a zlib stream per
// entry costs more than the decoding itself. Modelled on zlib's reference decoder "puff".
// Returns undefined when the input is malformed or ends first; callers then fall back to zlib.

const MAX_BITS = 15;
const LENGTH_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
const DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
const CODE_LENGTHS = new Uint8Array(320);
const CODE_LENGTH_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

class EndOfInput extends Error {}
class Corrupt extends Error {}

/** Codes up to this long decode with one table lookup; longer ones bit by bit. */
const FAST_BITS = 9;

/** REVERSED[x] is x with its FAST_BITS low bits in reverse order. */
const REVERSED = Uint16Array.from({ length: 1 << FAST_BITS }, (_, x) => {
  let reversed = 0;
  for (let i = 0; i < FAST_BITS; i++) reversed |= ((x >> i) & 1) << (FAST_BITS - 1 - i);
  return reversed;
});

interface Huffman {
  counts: Uint16Array;
  symbols: Uint16Array;
  /** Indexed by the next `bits` input bits: (symbol << 4) | code length, or 0 for a longer code. */
  fast: Int32Array;
  /** The longest code, capped at FAST_BITS: short codes need a smaller table. */
  bits: number;
}

/** Tables for the three codes of a dynamic block, reused across calls: typed-array allocation costs more than decoding. */
const SLOTS = [0, 1, 2].map(() => ({
  counts: new Uint16Array(MAX_BITS + 1),
  offsets: new Uint16Array(MAX_BITS + 2),
  next: new Uint16Array(MAX_BITS + 1),
  symbols: new Uint16Array(320),
  fast: new Int32Array(1 << FAST_BITS),
}));

function huffman(lengths: ArrayLike<number>, count: number, slot?: number): Huffman {
  const tables = slot === undefined
    ? { counts: new Uint16Array(MAX_BITS + 1), offsets: new Uint16Array(MAX_BITS + 2), next: new Uint16Array(MAX_BITS + 1), symbols: new Uint16Array(count), fast: new Int32Array(1 << FAST_BITS) }
    : SLOTS[slot]!;
  const { counts, offsets, next, symbols, fast } = tables;
  counts.fill(0);
  offsets.fill(0);
  for (let i = 0; i < count; i++) counts[lengths[i]!]!++;
  let bits = FAST_BITS;
  while (bits > 1 && counts[bits] === 0) bits--;
  fast.fill(0, 0, 1 << bits);
  for (let len = 1; len <= MAX_BITS; len++) offsets[len + 1] = offsets[len]! + counts[len]!;
  for (let i = 0; i < count; i++) if (lengths[i]) symbols[offsets[lengths[i]!]!++] = i;
  counts[0] = 0;
  // Canonical codes (RFC 1951 3.2.2), stored bit-reversed because deflate packs them MSB first.
  for (let len = 1, code = 0; len <= MAX_BITS; len++) {
    code = (code + counts[len - 1]!) << 1;
    next[len] = code;
  }
  for (let symbol = 0; symbol < count; symbol++) {
    const len = lengths[symbol]!;
    if (len === 0) continue;
    const code = next[len]!++;
    if (len > bits) continue;
    const entry = (symbol << 4) | len;
    for (let fill = REVERSED[code]! >> (FAST_BITS - len); fill < 1 << bits; fill += 1 << len) fast[fill] = entry;
  }
  return { counts, symbols, fast, bits };
}

let fixedTables: { lengths: Huffman; distances: Huffman } | undefined;

function fixed(): { lengths: Huffman; distances: Huffman } {
  if (fixedTables) return fixedTables;
  const lengths = new Uint8Array(288);
  lengths.fill(8, 0, 144);
  lengths.fill(9, 144, 256);
  lengths.fill(7, 256, 280);
  lengths.fill(8, 280, 288);
  fixedTables = { lengths: huffman(lengths, 288), distances: huffman(new Uint8Array(30).fill(5), 30) };
  return fixedTables;
}

class Decoder {
  private position = 0;
  private bitBuffer = 0;
  private bitCount = 0;
  readonly out: Buffer;
  written = 0;

  constructor(private readonly input: Uint8Array, wanted: number) {
    this.out = Buffer.allocUnsafe(wanted);
  }

  get full(): boolean {
    return this.written >= this.out.length;
  }

  bits(need: number): number {
    let value = this.bitBuffer;
    while (this.bitCount < need) {
      if (this.position >= this.input.length) throw new EndOfInput();
      value |= this.input[this.position++]! << this.bitCount;
      this.bitCount += 8;
    }
    this.bitBuffer = value >>> need;
    this.bitCount -= need;
    return value & ((1 << need) - 1);
  }

  decode(h: Huffman): number {
    while (this.bitCount < h.bits && this.position < this.input.length) {
      this.bitBuffer |= this.input[this.position++]! << this.bitCount;
      this.bitCount += 8;
    }
    const entry = h.fast[this.bitBuffer & ((1 << h.bits) - 1)]!;
    const len = entry & 15;
    if (entry !== 0 && len <= this.bitCount) {
      this.bitBuffer >>>= len;
      this.bitCount -= len;
      return entry >> 4;
    }
    return this.decodeSlowly(h);
  }

  private decodeSlowly(h: Huffman): number {
    let code = 0;
    let first = 0;
    let index = 0;
    for (let len = 1; len <= MAX_BITS; len++) {
      code |= this.bits(1);
      const count = h.counts[len]!;
      if (code - count < first) return h.symbols[index + (code - first)]!;
      index += count;
      first = (first + count) << 1;
      code <<= 1;
    }
    throw new Corrupt();
  }

  emit(byte: number): void {
    if (!this.full) this.out[this.written++] = byte;
  }

  stored(): void {
    this.bitBuffer = 0;
    this.bitCount = 0;
    if (this.position + 4 > this.input.length) throw new EndOfInput();
    const length = this.input[this.position]! | (this.input[this.position + 1]! << 8);
    const complement = this.input[this.position + 2]! | (this.input[this.position + 3]! << 8);
    if (length !== (~complement & 0xffff)) throw new Corrupt();
    this.position += 4;
    for (let i = 0; i < length && !this.full; i++) {
      if (this.position >= this.input.length) throw new EndOfInput();
      this.emit(this.input[this.position++]!);
    }
  }

  codes(lengths: Huffman, distances: Huffman): boolean {
    for (;;) {
      if (this.full) return false;
      let symbol = this.decode(lengths);
      if (symbol < 256) this.emit(symbol);
      else if (symbol === 256) return true;
      else {
        symbol -= 257;
        if (symbol >= 29) throw new Corrupt();
        const length = LENGTH_BASE[symbol]! + this.bits(LENGTH_EXTRA[symbol]!);
        const distanceSymbol = this.decode(distances);
        if (distanceSymbol >= 30) throw new Corrupt();
        const distance = DIST_BASE[distanceSymbol]! + this.bits(DIST_EXTRA[distanceSymbol]!);
        if (distance > this.written) throw new Corrupt();
        for (let i = 0; i < length; i++) this.emit(this.out[this.written - distance]!);
      }
    }
  }

  dynamic(): { lengths: Huffman; distances: Huffman } {
    const literalCount = this.bits(5) + 257;
    const distanceCount = this.bits(5) + 1;
    const codeLengthCount = this.bits(4) + 4;
    if (literalCount > 286 || distanceCount > 30) throw new Corrupt();
    const lengths = CODE_LENGTHS.fill(0);
    for (let i = 0; i < codeLengthCount; i++) lengths[CODE_LENGTH_ORDER[i]!] = this.bits(3);
    const codeLengths = huffman(lengths, 19, 0);
    lengths.fill(0);
    for (let index = 0; index < literalCount + distanceCount;) {
      const symbol = this.decode(codeLengths);
      if (symbol < 16) {
        lengths[index++] = symbol;
        continue;
      }
      let repeat: number;
      let value = 0;
      if (symbol === 16) {
        if (index === 0) throw new Corrupt();
        value = lengths[index - 1]!;
        repeat = 3 + this.bits(2);
      } else repeat = symbol === 17 ? 3 + this.bits(3) : 11 + this.bits(7);
      if (index + repeat > literalCount + distanceCount) throw new Corrupt();
      while (repeat--) lengths[index++] = value;
    }
    if (lengths[256] === 0) throw new Corrupt();
    return { lengths: huffman(lengths, literalCount, 1), distances: huffman(lengths.subarray(literalCount), distanceCount, 2) };
  }
}

/**
 * The first `wanted` bytes inflated from `compressed` (fewer if the stream ends sooner), or
 * undefined when the data is corrupt or `compressed` ends before `wanted` bytes are decoded.
 */
export function inflateHead(compressed: Uint8Array, wanted: number): Buffer | undefined {
  const decoder = new Decoder(compressed, wanted);
  try {
    let last = 0;
    while (!last && !decoder.full) {
      last = decoder.bits(1);
      const type = decoder.bits(2);
      if (type === 0) decoder.stored();
      else if (type === 1) decoder.codes(fixed().lengths, fixed().distances);
      else if (type === 2) {
        const tables = decoder.dynamic();
        decoder.codes(tables.lengths, tables.distances);
      } else throw new Corrupt();
    }
  } catch (error) {
    if (error instanceof EndOfInput || error instanceof Corrupt) return undefined;
    throw error;
  }
  return decoder.out.subarray(0, decoder.written);
}
