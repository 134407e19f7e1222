#!/usr/bin/env python3
"""Writes the code point ranges of unicode_classes.h (letters, numbers, spaces) as a C++ source
file, from the Unicode Character Database's UnicodeData.txt (Debian's unicode-data package).
CMake runs it at build time (src/core/CMakeLists.txt), and so does tests/docs/cpp-examples.test.js,
which compiles the core on its own:

    python3 src/core/data/make_unicode_tables.py /usr/share/unicode/UnicodeData.txt OUT.cpp

A class is the general category's first letter: L (Lu Ll Lt Lm Lo) letter, N (Nd Nl No) number,
Z (Zs Zl Zp) space. Code points that the file does not list are unassigned and belong to none
of them. A range the file gives as a "<..., First>" line and a "<..., Last>" line covers every
code point between the two. Adjacent code points of one class join into one range.
"""
import sys

CLASSES = {"L": "letter", "N": "number", "Z": "space"}


def fail(message):
    sys.exit(f"make_unicode_tables.py: {message}")


def read_classes(path):
    """(first, last, class) for every listed code point of a class, in code point order."""
    entries = []
    pending_first = None  # (code point, name, category) of a "<..., First>" line
    previous = -1
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            fields = line.rstrip("\n").split(";")
            if len(fields) != 15:
                fail(f"{path} line {number}: {len(fields)} fields, expected 15: {line.strip()!r}")
            code, name, category = fields[0], fields[1], fields[2]
            try:
                code_point = int(code, 16)
            except ValueError:
                fail(f"{path} line {number}: the code point {code!r} is not hexadecimal")
            if code_point <= previous or code_point > 0x10FFFF:
                fail(f"{path} line {number}: U+{code_point:04X} is out of order or out of range "
                     f"(previous U+{previous:04X})")
            previous = code_point
            if pending_first is not None:
                first, first_name, first_category = pending_first
                if not name.endswith(", Last>") or name[:-6] != first_name[:-7] or \
                        category != first_category:
                    fail(f"{path} line {number}: {name!r} ({category}) does not close the range "
                         f"{first_name!r} ({first_category}) of U+{first:04X}")
                pending_first = None
                entries.append((first, code_point, category))
            elif name.endswith(", First>"):
                pending_first = (code_point, name, category)
            else:
                entries.append((code_point, code_point, category))
    if pending_first is not None:
        fail(f"{path}: the range {pending_first[1]!r} of U+{pending_first[0]:04X} is never closed")
    if not entries:
        fail(f"{path} lists no code points")
    return [(first, last, CLASSES[category[0]]) for first, last, category in entries
            if category[0] in CLASSES]


def joined(entries):
    ranges = []
    for first, last, kind in entries:
        if ranges and ranges[-1][2] == kind and ranges[-1][1] + 1 == first:
            ranges[-1][1] = last
        else:
            ranges.append([first, last, kind])
    return ranges


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: make_unicode_tables.py UnicodeData.txt OUT.cpp")
    source, output = sys.argv[1], sys.argv[2]
    ranges = joined(read_classes(source))
    counts = {kind: sum(1 for r in ranges if r[2] == kind) for kind in CLASSES.values()}
    rows = "\n".join(f"    {{0x{first:X}, 0x{last:X}, CharacterClass::{kind}}},"
                     for first, last, kind in ranges)
    text = f"""// Generated from {source} by src/core/data/make_unicode_tables.py: do not edit.
// {len(ranges)} ranges: {counts['letter']} of letters, {counts['number']} of numbers, \
{counts['space']} of spaces.
#include "data/unicode_classes.h"

namespace spotlight {{

const CodePointRange unicode_class_ranges[] = {{
{rows}
}};

const std::size_t unicode_class_range_count = {len(ranges)};

}}  // namespace spotlight
"""
    with open(output, "w", encoding="utf-8") as out:
        out.write(text)


if __name__ == "__main__":
    main()
