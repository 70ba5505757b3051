#!/usr/bin/env python3
"""plot_optable.py - draw bench/optable.py's CSV: jitexpr's time over NumPy's per op.

    /usr/bin/python3 bench/optable.py --csv optable.csv
    /usr/bin/python3 bench/plot_optable.py optable.csv [-o docs/optable.png]

Needs matplotlib (Debian: apt-get install python3-matplotlib; it is not a
build or test dependency, so build.sh does not install it).

One dot per row of the CSV: the operations down the page in the order of
the operator table, one line each, its rows (dtype, with and without `out`)
as dots along it; x is jitexpr's time over NumPy's on a log axis, with a
line at 1 (left of it jitexpr is faster).  Colour: dtype; filled: with a
preallocated out, hollow: without; grey x: NumPy returned its operand and
did no work (np.real of a real array).  A second panel shows the ratio to
numexpr for the rows numexpr runs.
"""

import argparse
import csv
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
           "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]


def read(path):
    """(the '# ' comment: what was run where, rows as dicts)."""
    with open(path, newline="") as f:
        lines = f.read().splitlines()
    title = " ".join(ln[2:] for ln in lines if ln.startswith("# "))
    rows = list(csv.DictReader(ln for ln in lines if not ln.startswith("#")))
    return title, rows


def panel(ax, rows, key, exprs, colour, name):
    ax.set_xscale("log")
    ax.axvline(1.0, color="black", linewidth=1)
    ys = {e: i for i, e in enumerate(exprs)}
    for r in rows:
        if not r[key]:
            continue
        x, y = float(r[key]), ys[r["expression"]]
        view = key == "jx_np" and r.get("numpy_view") == "1"
        if view:
            ax.plot(x, y, "x", color="grey", markersize=5)
            continue
        c = colour[r["dtype"]]
        out = r["out"] == "1"
        ax.plot(x, y + (0.18 if out else -0.18), "o", markersize=4.5, color=c,
                markerfacecolor=c if out else "none", markeredgewidth=1)
    drawn = {r["expression"] for r in rows if r[key]}
    for e in exprs:
        if e not in drawn:  # say why the line is empty
            ax.text(1.0, ys[e], "  no NumPy function" if key == "jx_np" else "  unsupported",
                    fontsize=7, color="grey", va="center")
    ax.set_ylim(-1, len(exprs))
    ax.invert_yaxis()
    ax.grid(True, axis="x", which="both", alpha=0.3)
    for i in range(len(exprs)):
        if i % 2:
            ax.axhspan(i - 0.5, i + 0.5, color="#f2f2f2", zorder=0)
    ax.set_xlabel("jitexpr time / %s time (log; < 1: jitexpr faster)" % name)
    ax.set_title("vs %s" % name)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("csv", help="the file written by bench/optable.py --csv")
    p.add_argument("-o", "--output", default=os.path.join(HERE, "..", "docs", "optable.png"),
                   help="PNG to write (default docs/optable.png)")
    p.add_argument("--dpi", type=int, default=80)
    args = p.parse_args()

    title, rows = read(args.csv)
    exprs, dtypes = [], []
    for r in rows:
        if r["expression"] not in exprs:
            exprs.append(r["expression"])
        if r["dtype"] not in dtypes:
            dtypes.append(r["dtype"])
    colour = {d: COLOURS[i % len(COLOURS)] for i, d in enumerate(dtypes)}
    has_ne = any(r["jx_ne"] for r in rows)

    height = 1.6 + 0.2 * len(exprs)
    fig, axes = plt.subplots(1, 2 if has_ne else 1, figsize=(13 if has_ne else 8, height),
                             sharey=True, squeeze=False)
    panel(axes[0][0], rows, "jx_np", exprs, colour, "NumPy")
    if has_ne:
        panel(axes[0][1], rows, "jx_ne", exprs, colour, "numexpr")
    ax = axes[0][0]
    ax.set_yticks(range(len(exprs)))
    ax.set_yticklabels(exprs, fontsize=8, family="monospace")

    handles = [Line2D([], [], marker="o", linestyle="", color=colour[d], label=d)
               for d in dtypes]
    handles += [Line2D([], [], marker="o", linestyle="", color="black", label="out given"),
                Line2D([], [], marker="o", linestyle="", color="black",
                       markerfacecolor="none", label="no out"),
                Line2D([], [], marker="x", linestyle="", color="grey",
                       label="NumPy returns its operand")]
    # title and legend at fixed distances (inches) from the top
    fig.suptitle(title, fontsize=8, y=1 - 0.1 / height, va="top")
    fig.legend(handles=handles, loc="upper center", ncol=len(handles), fontsize=8,
               bbox_to_anchor=(0.5, 1 - 0.3 / height), frameon=False)
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.6 / height))
    fig.savefig(args.output, dpi=args.dpi)
    print("wrote %s (%d rows, %d operations)" % (args.output, len(rows), len(exprs)))


if __name__ == "__main__":
    main()
