// CRC-32 of a concatenation from the CRCs of its parts, so chunks deflated in parallel need no second pass.
// Port of zlib's crc32_combine (GF(2) matrix method); node:zlib does not expose it.

const CRC32_POLYNOMIAL = 0xedb88320;

function gf2MatrixTimes(matrix: Uint32Array, vector: number): number {
  let sum = 0;
  for (let index = 0; vector !== 0; index++, vector >>>= 1) {
    if (vector & 1) sum ^= matrix[index]!;
  }
  return sum >>> 0;
}

function gf2MatrixSquare(square: Uint32Array, matrix: Uint32Array): void {
  for (let n = 0; n < 32; n++) square[n] = gf2MatrixTimes(matrix, matrix[n]!);
}

/** CRC-32 of A followed by B, given crc(A), crc(B) and B's length in bytes. */
export function crc32Combine(crcA: number, crcB: number, lengthB: number): number {
  if (lengthB <= 0) return crcA >>> 0;
  const even = new Uint32Array(32); // operator for an even power of two zero bits
  const odd = new Uint32Array(32); // operator for an odd power of two zero bits
  odd[0] = CRC32_POLYNOMIAL;
  for (let n = 1; n < 32; n++) odd[n] = (1 << (n - 1)) >>> 0;
  gf2MatrixSquare(even, odd); // two zero bits
  gf2MatrixSquare(odd, even); // four zero bits

  let crc = crcA >>> 0;
  let remaining = lengthB;
  // Apply one zero byte per set bit of the length, squaring the operator each step.
  for (;;) {
    gf2MatrixSquare(even, odd);
    if (remaining % 2 === 1) crc = gf2MatrixTimes(even, crc);
    remaining = Math.floor(remaining / 2);
    if (remaining === 0) break;
    gf2MatrixSquare(odd, even);
    if (remaining % 2 === 1) crc = gf2MatrixTimes(odd, crc);
    remaining = Math.floor(remaining / 2);
    if (remaining === 0) break;
  }
  return (crc ^ crcB) >>> 0;
}
