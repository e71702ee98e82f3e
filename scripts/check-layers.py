#!/usr/bin/env python3
"""Check the layering written down in docs/ARCHITECTURE.md against the
includes of every library and program.

The rules (the tables "Libraries" and "Programs" of that page give the
floors and sides):
  1. a library includes only its own files and the public headers
     (lib/<name>/include/<name>/) of libraries on lower floors;
  2. a program includes only its own files and public library headers;
  3. no backend library or program includes a frontend's header, and no
     frontend includes a backend's;
  4. every folder under lib/ and app/ is in the tables, and every
     public header lives under include/<its library's name>/.
Prints one line per violation and exits 1 if there is any."""
import os
import re
import sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
doc = open(os.path.join(root, "docs", "ARCHITECTURE.md")).read()


def table(title):
    """Rows of the markdown table that follows the heading `title`."""
    m = re.search(r"^#+ " + re.escape(title) + r"\s*$(.*?)(?=^#|\Z)", doc,
                  re.M | re.S)
    if not m:
        sys.exit("check-layers: no section '%s' in docs/ARCHITECTURE.md" % title)
    rows = []
    for line in m.group(1).splitlines():
        if not line.startswith("|") or set(line) <= set("|-: "):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        rows.append(cells)
    return rows[1:]  # without the header


def name(cell):
    return cell.strip("`")


libs = {}   # name -> (floor, side)
for row in table("Libraries"):
    libs[name(row[1])] = (int(row[0]), row[2])
apps = {}   # name -> side
for row in table("Programs"):
    apps[name(row[0])] = row[1]

errors = []
inc_re = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def owner_of(header):
    """The library whose public header `header` (as included) is."""
    first = header.split("/")[0]
    if "/" in header and first in libs and os.path.exists(
            os.path.join(root, "lib", first, "include", header)):
        return first
    return None


def check_tree(kind, folder, side, floor):
    base = os.path.join(root, kind, folder)
    for dirpath, _, files in os.walk(base):
        for f in files:
            if not f.endswith((".c", ".h")):
                continue
            path = os.path.join(dirpath, f)
            rel = os.path.relpath(path, root)
            if kind == "lib" and rel.startswith("lib/%s/include/" % folder) \
                    and not rel.startswith("lib/%s/include/%s/" % (folder, folder)):
                errors.append("%s: public header outside include/%s/" % (rel, folder))
            for inc in inc_re.findall(open(path, errors="replace").read()):
                lib = owner_of(inc)
                if lib is None:
                    # a file of its own folder?
                    if os.path.exists(os.path.join(dirpath, inc)) or \
                            os.path.exists(os.path.join(base, inc)) or \
                            os.path.exists(os.path.join(base, "include", inc)):
                        continue
                    errors.append("%s: includes \"%s\", which is neither its "
                                  "own nor a library's public header" % (rel, inc))
                    continue
                if lib == folder and kind == "lib":
                    continue
                lfloor, lside = libs[lib]
                if floor is not None and lfloor >= floor:
                    errors.append("%s: %s (floor %d) includes %s (floor %d)"
                                  % (rel, folder, floor, inc, lfloor))
                if {side, lside} == {"backend", "frontend"}:
                    errors.append("%s: a %s includes the %s header %s"
                                  % (rel, side, lside, inc))


for kind, table_ in (("lib", libs), ("app", apps)):
    for folder in sorted(os.listdir(os.path.join(root, kind))):
        if not os.path.isdir(os.path.join(root, kind, folder)):
            continue
        if folder not in table_:
            errors.append("%s/%s: not in docs/ARCHITECTURE.md" % (kind, folder))
for lib, (floor, side) in libs.items():
    if not os.path.isdir(os.path.join(root, "lib", lib)):
        errors.append("lib/%s: in docs/ARCHITECTURE.md but not in the tree" % lib)
        continue
    check_tree("lib", lib, side, floor)
for app, side in apps.items():
    if not os.path.isdir(os.path.join(root, "app", app)):
        errors.append("app/%s: in docs/ARCHITECTURE.md but not in the tree" % app)
        continue
    check_tree("app", app, side, None)

for e in errors:
    print("check-layers: " + e)
print("check-layers: %d libraries, %d programs, %d violations"
      % (len(libs), len(apps), len(errors)))
sys.exit(1 if errors else 0)
