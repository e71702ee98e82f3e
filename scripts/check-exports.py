#!/usr/bin/env python3
"""Check the export macro against the built libraries.

Every library builds with hidden symbol visibility and marks its public
functions with XVN_EXPORT (xvm/export.h).  For each library archive under
BUILD_DIR/lib/<name>/, this checks with readelf that
  1. every function a public header marks XVN_EXPORT and the library
     defines has default visibility, and
  2. no other function of the library has default visibility (nothing
     leaks out of a library but its API).
Usage: check-exports.py SOURCE_DIR BUILD_DIR.  Exits 1 on a violation."""
import os
import re
import subprocess
import sys

src, build = sys.argv[1], sys.argv[2]
decl = re.compile(r'XVN_EXPORT\b[^;{]*?\b(\w+)\s*\(', re.S)
errors = []
checked = 0
for lib in sorted(os.listdir(os.path.join(src, 'lib'))):
    archive = os.path.join(build, 'lib', lib, 'lib%s.a' % lib)
    if not os.path.exists(archive):
        continue
    exported = set()
    inc = os.path.join(src, 'lib', lib, 'include')
    for dp, _, fs in os.walk(inc):
        for f in fs:
            if f.endswith('.h'):
                text = open(os.path.join(dp, f)).read()
                exported |= set(decl.findall(text))
    out = subprocess.run(['readelf', '-sW', archive], capture_output=True,
                         text=True, check=True).stdout
    for line in out.splitlines():
        cols = line.split()
        # Num: Value Size Type Bind Vis Ndx Name
        if len(cols) < 8 or cols[3] != 'FUNC' or cols[4] != 'GLOBAL' \
                or cols[6] == 'UND':
            continue
        name, vis = cols[7], cols[5]
        checked += 1
        if name in exported and vis != 'DEFAULT':
            errors.append('%s: %s is exported but built %s' % (lib, name, vis))
        if name not in exported and vis == 'DEFAULT':
            errors.append('%s: %s has default visibility but is not in a '
                          'public header with XVN_EXPORT' % (lib, name))
for e in errors:
    print('check-exports: ' + e)
print('check-exports: %d functions checked, %d violations' % (checked, len(errors)))
sys.exit(1 if errors else 0)
