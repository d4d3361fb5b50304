// UNZIPPED_TOO_LARGE and ZIPPED_TOO_LARGE_FOR_DIRECT_UPLOAD: Lambda's package size limits.
import { LIMITS } from '../../runtimes.js';
import { finding, type Finding } from '../findings.js';
import type { CheckContext } from './context.js';

const MB = 1024 * 1024;
const mb = (bytes: number): string => `${(bytes / MB).toFixed(1)} MiB`;

export function checkSizes({ unzippedBytes, zippedBytes, layers, layer }: CheckContext): Finding[] {
  const findings: Finding[] = [];
  const layerBytes = layers.reduce((sum, l) => sum + l.unzippedBytes, 0);
  const total = unzippedBytes + layerBytes;
  if (total > LIMITS.unzippedBytes) {
    const parts = layers.length ? ` (${unzippedBytes} bytes in this zip + ${layerBytes} in ${layers.length} layer(s))` : '';
    const what = layer ? 'the layer' : 'the function and its layers';
    findings.push(finding('UNZIPPED_TOO_LARGE', '', `${what} unzip to ${total} bytes${parts}; Lambda allows ${LIMITS.unzippedBytes} (${mb(LIMITS.unzippedBytes)})`));
  }
  if (zippedBytes > LIMITS.zippedDirectUploadBytes) {
    findings.push(finding('ZIPPED_TOO_LARGE_FOR_DIRECT_UPLOAD', '', `the zip is ${mb(zippedBytes)}; direct upload takes at most ${mb(LIMITS.zippedDirectUploadBytes)}`));
  }
  return findings;
}
