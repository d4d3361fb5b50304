// The numbers of the zip format (APPNOTE 6.3.x) that the writer and the reader share.

export const LOCAL_HEADER_SIGNATURE = 0x04034b50;
export const CENTRAL_HEADER_SIGNATURE = 0x02014b50;
export const END_SIGNATURE = 0x06054b50;
export const ZIP64_END_SIGNATURE = 0x06064b50;
export const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;

export const METHOD_STORE = 0;
export const METHOD_DEFLATE = 8;

export const LOCAL_HEADER_SIZE = 30;
export const CENTRAL_HEADER_SIZE = 46;
export const END_SIZE = 22;

/** "Version made by" host systems whose external attributes carry a Unix mode. */
export const HOST_UNIX = 3;
export const HOST_MACOS = 19;

export const S_IFMT = 0o170000;
export const S_IFREG = 0o100000;
export const S_IFDIR = 0o040000;
export const S_IFLNK = 0o120000;
/** MS-DOS directory attribute, set beside the Unix mode as Info-ZIP and Python do. */
export const DOS_DIRECTORY = 0x10;
