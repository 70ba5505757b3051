#!/usr/bin/env python3
"""docs_ops.py - the function table of docs/language.md against the op table.

Reads the rows of JX_OPS in src/ops.h and the table under "## Functions" in
docs/language.md, whose first column names functions (`sqrt cbrt exp`, or
`where(c, x, y)` with its operands) and whose second gives their arity.
Fails when a function of the op table (syntax FN) is not documented, when
the doc names a function the table does not have, or when an arity
differs (the column, or the operands written in a call).

Run by `make check` (tests/Makefile.am); needs only the standard library.
Prints a Check-style summary line.  Exit status 0 when the doc agrees, 1
when it does not.
"""
import os
import re
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

# X(id, "mnem", "spell", syn, arity, ...
ROW = re.compile(r'^\s*X\(\s*(\w+)\s*,\s*"([^"]*)"\s*,\s*"([^"]*)"\s*,\s*(\w+)\s*,\s*(\d+)\s*,')


def table_functions():
    """spelling -> arity of every FN row of JX_OPS."""
    with open(os.path.join(ROOT, "src", "ops.h"), encoding="utf-8") as f:
        text = f.read()
    start = text.index("#define JX_OPS(X)")
    end = text.index("\n\n", start)
    fns = {}
    for line in text[start:end].splitlines():
        m = ROW.match(line)
        if m and m.group(4) == "FN":
            fns[m.group(3)] = int(m.group(5))
    if not fns:
        raise SystemExit("docs_ops.py: no FN rows found in src/ops.h")
    return fns


def doc_functions(problems):
    """spelling -> arity of every function of the doc's table, with the
    problems of the table itself appended to problems."""
    path = os.path.join(ROOT, "docs", "language.md")
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    start = lines.index("## Functions")
    fns = {}
    in_table = False
    for lineno, line in enumerate(lines[start + 1:], start + 2):
        if line.startswith("## "):
            break
        if not line.startswith("|"):
            if in_table:
                break
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not in_table:  # the header, then the rule under it
            in_table = True
            if cells[:2] != ["functions", "arity"]:
                problems.append("docs/language.md:%d: the table's first columns must be "
                                "'functions | arity'" % lineno)
                return fns
            continue
        if set(cells[0]) <= set("- "):
            continue
        if not cells[1].isdigit():
            problems.append("docs/language.md:%d: arity %r is not a number" % (lineno, cells[1]))
            continue
        arity = int(cells[1])
        # The names are in the first cell's code spans, each a name or a
        # call: `sqrt cbrt`, `where(c, x, y)`; the rest is commentary.
        for span in re.findall(r"`([^`]*)`", cells[0]):
            for m in re.finditer(r"([A-Za-z_]\w*)(\(([^)]*)\))?", span):
                name = m.group(1)
                if m.group(2) is not None:
                    n = len([a for a in m.group(3).split(",") if a.strip()])
                    if n != arity:
                        problems.append("docs/language.md:%d: %s is written with %d operands "
                                        "but the row says %d" % (lineno, m.group(0), n, arity))
                if name in fns:
                    problems.append("docs/language.md:%d: %s is documented twice" % (lineno, name))
                fns[name] = arity
    if not fns:
        problems.append("docs/language.md: no function table under '## Functions'")
    return fns


def main():
    problems = []
    table = table_functions()
    doc = doc_functions(problems)
    for name in sorted(set(table) - set(doc)):
        problems.append("docs/language.md: %s (src/ops.h, arity %d) is not in the function table"
                        % (name, table[name]))
    for name in sorted(set(doc) - set(table)):
        problems.append("docs/language.md: %s is documented but src/ops.h has no function %s"
                        % (name, name))
    for name in sorted(set(doc) & set(table)):
        if doc[name] != table[name]:
            problems.append("docs/language.md: %s has arity %d, src/ops.h says %d"
                            % (name, doc[name], table[name]))
    for p in problems:
        print(p)
    checks = len(table) + 1
    failed = min(len(problems), checks)
    print("%d%%: Checks: %d, Failures: %d, Errors: 0"
          % (100 * (checks - failed) // checks, checks, failed))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
