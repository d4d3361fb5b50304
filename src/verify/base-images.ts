// Shared libraries a Lambda runtime's own filesystem provides (/lib64, /usr/lib64, /var/lang/lib),
// by OS. A DT_NEEDED name found here needs no copy in the zip. Data, with where it came from.
import type { OperatingSystem, Runtime } from '../runtimes.js';

/** glibc, the loaders and the C/C++ runtime support: present on every Lambda OS and architecture. */
const ALWAYS = [
  'libc.so.6', 'libm.so.6', 'libpthread.so.0', 'libdl.so.2', 'librt.so.1', 'libresolv.so.2', 'libutil.so.1',
  'libanl.so.1', 'libnsl.so.1', 'libmvec.so.1', 'libBrokenLocale.so.1', 'libthread_db.so.1',
  'libnss_files.so.2', 'libnss_dns.so.2', 'libnss_compat.so.2',
  'ld-linux-x86-64.so.2', 'ld-linux-aarch64.so.1', 'libgcc_s.so.1', 'libstdc++.so.6',
];

/**
 * Amazon Linux 2 (nodejs18.x, python3.9–3.11, provided.al2).
 * Source: the file list of the provided.al2 execution environment dumped by lambci/docker-lambda
 * (`base/base-2/fs.txt`: every `usr/lib64/*.so*` at the top level, `lib64` being a symlink to it),
 * reduced to sonames. Same package set on arm64.
 */
const AL2 = [
  'libacl.so.1', 'libattr.so.1', 'libcap.so.2', 'libcidn.so.1', 'libcom_err.so.2', 'libcrypto.so.10', 'libffi.so.6',
  'libform.so.6', 'libformw.so.6', 'libfreebl3.so', 'libfreeblpriv3.so', 'libgmp.so.10', 'libgmpxx.so.4',
  'libgssapi_krb5.so.2', 'libgssrpc.so.4', 'libk5crypto.so.3', 'libkdb5.so.8', 'libkeyutils.so.1', 'libkrad.so.0',
  'libkrb5.so.3', 'libkrb5support.so.0', 'libmenu.so.6', 'libmenuw.so.6', 'libncurses.so.6', 'libncursesw.so.6',
  'libnspr4.so', 'libnssckbi.so', 'libnssutil3.so', 'libp11-kit.so.0', 'libpanel.so.6', 'libpanelw.so.6', 'libpcre.so.1',
  'libpcre16.so.0', 'libpcre32.so.0', 'libpcrecpp.so.0', 'libpcreposix.so.0', 'libplc4.so', 'libplds4.so', 'libpopt.so.0',
  'libselinux.so.1', 'libsepol.so.1', 'libssl.so.10', 'libtasn1.so.6', 'libtic.so.6', 'libtinfo.so.6', 'libverto.so.1',
  'libz.so.1', 'libSegFault.so', 'libmemusage.so', 'libpcprofile.so',
];

/**
 * Amazon Linux 2023 (nodejs20.x+, python3.12+, provided.al2023).
 * Source: the Lambda AL2023 base images are built FROM the AL2023 minimal container image
 * (aws/aws-lambda-base-images, branches provided.al2023 / python3.12 / nodejs20.x); this is the
 * sonames of that image's packages (glibc, libgcc, libstdc++, openssl-libs, zlib, libcurl-minimal,
 * krb5-libs, ncurses-libs, glib2, libxml2, sqlite-libs, xz/bzip2/lz4/zstd libs, libffi, pcre2,
 * libselinux, libxcrypt, gmp, rpm/libdnf/microdnf dependencies) as listed in the AL2023 package
 * lists. Not extracted on this machine (no AWS registry is reachable here); re-check with
 * `docker run --rm --entrypoint ls public.ecr.aws/lambda/provided:al2023 /usr/lib64`.
 */
const AL2023 = [
  'libcrypto.so.3', 'libssl.so.3', 'libz.so.1', 'libcurl.so.4', 'libnghttp2.so.14', 'libidn2.so.0', 'libunistring.so.2',
  'libpsl.so.5', 'libgssapi_krb5.so.2', 'libkrb5.so.3', 'libk5crypto.so.3', 'libkrb5support.so.0', 'libcom_err.so.2',
  'libkeyutils.so.1', 'libverto.so.1', 'libselinux.so.1', 'libsepol.so.2', 'libpcre2-8.so.0', 'libtinfo.so.6',
  'libncursesw.so.6', 'libreadline.so.8', 'libbz2.so.1', 'liblzma.so.5', 'liblz4.so.1', 'libzstd.so.1', 'libxml2.so.2',
  'libsqlite3.so.0', 'libglib-2.0.so.0', 'libgobject-2.0.so.0', 'libgio-2.0.so.0', 'libgmodule-2.0.so.0',
  'libmount.so.1', 'libblkid.so.1', 'libuuid.so.1', 'libsmartcols.so.1', 'libffi.so.8', 'libcap.so.2', 'libcap-ng.so.0',
  'libacl.so.1', 'libattr.so.1', 'libcrypt.so.2', 'libgmp.so.10', 'libmpfr.so.6', 'libsigsegv.so.2', 'libjson-c.so.5',
  'libyaml-0.so.2', 'libgpg-error.so.0', 'libgcrypt.so.20', 'libassuan.so.0', 'libgpgme.so.11', 'libpopt.so.0',
  'liblua-5.4.so', 'librpm.so.9', 'librpmio.so.9', 'libsolv.so.1', 'libsolvext.so.1', 'librepo.so.0', 'libmodulemd.so.2',
  'libdnf.so.2', 'libarchive.so.13', 'libmagic.so.1', 'libp11-kit.so.0', 'libtasn1.so.6', 'libaudit.so.1',
];

/**
 * Newest libstdc++ symbol versions the OS's own libstdc++.so.6 defines. AL2 ships gcc 7.3's
 * libstdc++.so.6.0.24 (file list above); AL2023 ships gcc 11's libstdc++.so.6.0.29 (AL2023 user
 * guide, "Core toolchain packages": gcc 11.3). GLIBCXX_3.4.N matches libstdc++.so.6.0.N.
 */
export const LIBSTDCXX: Readonly<Record<OperatingSystem, { readonly GLIBCXX: readonly number[]; readonly CXXABI: readonly number[] }>> = {
  al2: { GLIBCXX: [3, 4, 24], CXXABI: [1, 3, 11] },
  al2023: { GLIBCXX: [3, 4, 29], CXXABI: [1, 3, 13] },
};

const BY_OS: Record<OperatingSystem, ReadonlySet<string>> = {
  al2: new Set([...ALWAYS, ...AL2]),
  al2023: new Set([...ALWAYS, ...AL2023]),
};

/** Whether the runtime's own filesystem provides a library of this soname. */
export function baseImageProvides(rt: Runtime, soname: string): boolean {
  if (BY_OS[rt.os].has(soname)) return true;
  // The Python runtimes keep their interpreter library in /var/lang/lib, which is on LD_LIBRARY_PATH.
  if (rt.python) return soname === `libpython${rt.python[0]}.${rt.python[1]}.so.1.0` || soname === `libpython${rt.python[0]}.so`;
  return false;
}
