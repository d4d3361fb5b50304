// Writes each entry's local header and data in stored order, and returns what the central directory needs.
import { open } from 'node:fs/promises';
import zlib from 'node:zlib';
import { ExternalError, InternalError } from '../errors.js';
import type { DeflateWindow } from './deflate-window.js';
import { CHUNK_SIZE, chunkCount, chunkLength } from './chunks.js';
import { crc32Combine } from './crc.js';
import { measure, type ZipEntry } from './entries.js';
import { localHeader, METHOD_DEFLATE, METHOD_STORE, type DosDateTime, type ZipRecord } from './format.js';
import type { ZipOutputFile } from './output.js';

export interface EntryWriter {
  output: ZipOutputFile;
  chunks: DeflateWindow;
  dosTime: DosDateTime;
  signal?: AbortSignal;
}

export async function writeEntries(entries: readonly ZipEntry[], writer: EntryWriter): Promise<ZipRecord[]> {
  const records: ZipRecord[] = [];
  for (const entry of entries) {
    writer.signal?.throwIfAborted();
    records.push(await writeEntry(entry, writer));
  }
  return records;
}

async function writeEntry(entry: ZipEntry, writer: EntryWriter): Promise<ZipRecord> {
  const { output, chunks } = writer;
  const size = measure(entry);
  const record: ZipRecord = {
    name: entry.name,
    mode: entry.mode,
    method: METHOD_STORE,
    crc32: 0,
    compressedSize: 0,
    uncompressedSize: size,
    localHeaderOffset: output.position,
    dosTime: writer.dosTime,
  };
  const count = chunkCount(size);
  if (count === 0) {
    await output.append(localHeader(record));
    return record;
  }
  if (count === 1) {
    const chunk = await chunks.next();
    record.method = chunk.method === METHOD_DEFLATE ? METHOD_DEFLATE : METHOD_STORE;
    record.crc32 = chunk.crc32;
    record.compressedSize = chunk.data.length;
    await output.append(localHeader(record));
    await output.append(chunk.data);
    return record;
  }
  return writeChunkedEntry(entry, size, record, writer);
}

/**
 * A large entry streams chunk by chunk: its header is reserved, then patched with the CRC and sizes
 * (never a data descriptor). Like a small entry, it is stored when deflate did not make it smaller.
 */
async function writeChunkedEntry(entry: ZipEntry, size: number, record: ZipRecord, writer: EntryWriter): Promise<ZipRecord> {
  const { output, chunks } = writer;
  const reserved = localHeader(record);
  await output.append(reserved);
  const dataStart = output.position;
  let crc = 0;
  let compressedSize = 0;
  for (let index = 0; index < chunkCount(size); index++) {
    writer.signal?.throwIfAborted();
    const chunk = await chunks.next();
    crc = index === 0 ? chunk.crc32 : crc32Combine(crc, chunk.crc32, chunkLength(size, index));
    compressedSize += chunk.data.length;
    await output.append(chunk.data);
  }
  record.crc32 = crc;
  record.method = METHOD_DEFLATE;
  record.compressedSize = compressedSize;
  if (compressedSize >= size) {
    await output.rewind(dataStart);
    await appendStored(entry, size, output, crc);
    record.method = METHOD_STORE;
    record.compressedSize = size;
  }
  const header = localHeader(record);
  if (header.length !== reserved.length) {
    throw new InternalError('ZIP_HEADER_SIZE', `local header of ${entry.path} changed length after its data was written`);
  }
  await output.writeAt(record.localHeaderOffset, header);
  return record;
}

/** Copies an entry's bytes uncompressed, checking they are the ones that were deflated. */
async function appendStored(entry: ZipEntry, size: number, output: ZipOutputFile, expectedCrc: number): Promise<void> {
  let crc = 0;
  if (entry.bytes) {
    crc = zlib.crc32(entry.bytes);
    await output.append(entry.bytes);
  } else {
    const source = entry.source as string;
    const handle = await open(source, 'r');
    try {
      const buffer = Buffer.allocUnsafe(CHUNK_SIZE);
      for (let position = 0; position < size; ) {
        const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, size - position), position);
        if (bytesRead === 0) break;
        const piece = buffer.subarray(0, bytesRead);
        crc = zlib.crc32(piece, crc);
        await output.append(piece);
        position += bytesRead;
      }
    } finally {
      await handle.close();
    }
  }
  if (crc >>> 0 !== expectedCrc) {
    throw new ExternalError('ZIP_SOURCE_CHANGED', `${entry.source ?? entry.path} changed while it was being zipped`);
  }
}
