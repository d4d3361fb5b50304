#!/usr/bin/env python3
"""Writes a test zip from a JSON spec on stdin, with exact control over names, modes and symlinks.

Spec: {"zip": "out.zip", "entries": [{"name": ..., "file"|"text"|"symlink"|"dir": ..., "mode": 0o644,
"unix": true, "store": false}]}. "unix": false writes the entry as made on MS-DOS, without a Unix mode.
"""
import json
import sys
import zipfile

TYPES = {"file": 0o100000, "dir": 0o040000, "symlink": 0o120000}


def main() -> None:
    spec = json.load(sys.stdin)
    with zipfile.ZipFile(spec["zip"], "w") as archive:
        for entry in spec["entries"]:
            kind = "symlink" if "symlink" in entry else "dir" if entry.get("dir") else "file"
            info = zipfile.ZipInfo(entry["name"], date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED if entry.get("store") or kind == "dir" else zipfile.ZIP_DEFLATED
            if entry.get("unix", True):
                info.create_system = 3
                mode = entry.get("mode", 0o755 if kind != "file" else 0o644)
                info.external_attr = (TYPES[kind] | mode) << 16
            else:
                info.create_system = 0
                info.external_attr = 0x10 if kind == "dir" else 0
            if kind == "symlink":
                data = entry["symlink"].encode()
            elif kind == "dir":
                data = b""
            elif "file" in entry:
                with open(entry["file"], "rb") as source:
                    data = source.read()
            else:
                data = entry.get("text", "").encode()
            archive.writestr(info, data)


main()
