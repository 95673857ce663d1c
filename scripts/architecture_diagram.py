"""The architecture diagram in docs/architecture.md, drawn from the import graph.

    .venv/bin/python scripts/architecture_diagram.py            # rewrite the diagram
    .venv/bin/python scripts/architecture_diagram.py --check    # fail if it is out of date

An arrow from one room to another means some module of the first imports a module of the second.
An arrow labelled "public port" stands for imports of the target department's `public` module
only; imports of its other modules get a plain arrow. `--root DIR` reads the code and the
document of another tree (the tests use a copy with an import added)."""

import argparse
import sys
from pathlib import Path

import grimp

PACKAGES = ("project", "countries", "currencies", "languages", "portal")
DEPARTMENTS = ("countries", "currencies", "languages")
# Node id and label of each room, top to bottom as in the layers contract.
ROOMS = {
    "bench": "bench",
    "root": "composition root",
    "portal": "portal",
    "countries": "countries",
    "currencies": "currencies",
    "languages": "languages",
    "kernel": "kernel",
}
PUBLIC_PORT = "public port"
BEGIN, END = "<!-- architecture:begin -->", "<!-- architecture:end -->"
DOCUMENT = Path("docs") / "architecture.md"

Arrow = tuple[str, str, str]  # from room, to room, label ("" or PUBLIC_PORT)


def room(module: str) -> str:
    """The room of a module: a department, the portal, or one of the three rooms of project/."""
    package, _, rest = module.partition(".")
    if package != "project":
        return package
    inner = rest.partition(".")[0]
    return inner if inner in ("bench", "kernel") else "root"


def arrows(root: Path) -> list[Arrow]:
    """Every arrow between rooms in the code under `root`, in a fixed order."""
    sys.path.insert(0, str(root))
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    found: set[Arrow] = set()
    for importer in graph.modules:
        for imported in graph.find_modules_directly_imported_by(importer):
            source, target = room(importer), room(imported)
            if source != target:
                public = target in DEPARTMENTS and imported == f"{target}.public"
                found.add((source, target, PUBLIC_PORT if public else ""))
    order = list(ROOMS)
    return sorted(found, key=lambda arrow: (order.index(arrow[0]), order.index(arrow[1]), arrow[2]))


def render(found: list[Arrow]) -> str:
    lines = ["```mermaid", "flowchart TD"]
    lines += [f'    {node}["{label}"]' for node, label in ROOMS.items()]
    lines += [f"    {a} -->{f'|{label}|' if label else ''} {b}" for a, b, label in found]
    return "\n".join([*lines, "```"])


def split(text: str) -> tuple[str, str, str]:
    """The document before the diagram, the diagram, and the rest (the markers stay outside)."""
    if text.count(BEGIN) != 1 or text.count(END) != 1 or text.index(BEGIN) > text.index(END):
        raise SystemExit(f"{DOCUMENT}: needs one {BEGIN} line and, after it, one {END} line.")
    head, rest = text.split(BEGIN)
    diagram, tail = rest.split(END)
    return head + BEGIN + "\n", diagram.strip("\n"), "\n" + END + tail


def differences(documented: str, generated: str) -> list[str]:
    """What the check reports: each line only the code has, then each line only the file has."""
    old, new = documented.splitlines(), generated.splitlines()
    lines = [f"  in the code only: {line.strip()}" for line in new if line not in old]
    lines += [f"  in the diagram only: {line.strip()}" for line in old if line not in new]
    return lines or ["  the same lines in another order"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Draw the architecture diagram in docs/architecture.md from the import graph."
    )
    parser.add_argument("--check", action="store_true", help="change nothing; fail if out of date")
    parser.add_argument(
        "--root",
        type=Path,
        default=Path(__file__).resolve().parent.parent,
        help="the tree to read (default: this checkout)",
    )
    options = parser.parse_args(argv)
    document = options.root / DOCUMENT
    head, documented, tail = split(document.read_text(encoding="utf-8"))
    generated = render(arrows(options.root.resolve()))
    if documented == generated:
        print(f"{DOCUMENT}: the diagram is what the code gives.")
        return 0
    if options.check:
        print(
            f"{DOCUMENT}: the diagram is not what the code gives; `make architecture` redraws it."
        )
        print("\n".join(differences(documented, generated)))
        return 1
    document.write_text(head + generated + tail, encoding="utf-8")
    print(f"{DOCUMENT}: diagram redrawn.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
