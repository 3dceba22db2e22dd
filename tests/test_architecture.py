"""The shape of the package: no import cycles, science touches no disk, the README tells the tree.

Read from the source with ``ast`` (nothing is imported), so a lazy import inside a function
counts like a top-level one.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "siting"
README = PACKAGE.parent / "README.md"

#: Folders of science: they compute on data passed in and never read or write files.
SCIENCE = ("land", "wind", "forest", "credits")

#: What each folder may import from siting (besides itself), as its ``__init__`` says.
ALLOWED = {
    "scenario": {"errors", "land.ahp", "io.species"},
    "land": {"errors", "grid", "scenario"},
    "wind": {"errors", "scenario"},
    "forest": {"errors", "scenario"},
    "credits": {"errors", "scenario", "wind", "forest"},
    "io": {"errors", "grid", "scenario", "forest.species", "wind.turbines", "wind.physics"},
    "outputs": {"errors", "grid", "io", "layers", "result", "scenario", *SCIENCE},
    "fetch": {"errors", "grid", "io", "scenario"},
}

#: Imports that mean disk access (or a file format) in a science module.
DISK_MODULES = ("yaml", "pyogrio", "fiona", "netCDF4", "h5netcdf", "importlib.resources")
#: rasterio sub-modules that compute in memory.
PURE_RASTERIO = ("rasterio.features", "rasterio.transform", "rasterio.enums", "rasterio.crs")
#: Calls that read, write or list files.
DISK_CALLS = {
    "open", "read_text", "read_bytes", "write_text", "write_bytes", "open_dataset",
    "open_mfdataset", "open_dataarray", "open_rasterio", "read_file", "to_file", "to_csv",
    "to_netcdf", "to_raster", "iterdir", "glob", "rglob", "exists", "is_file", "is_dir",
    "mkdir", "unlink", "rmtree",
}  # fmt: skip


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
TREES = {name: ast.parse(path.read_text("utf-8")) for name, path in MODULES.items()}


def imported_modules(tree: ast.Module) -> set[str]:
    """Every module an ``import`` or ``from ... import`` names, at any depth of the file."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            # ``from siting.land import terrain`` imports the module siting.land.terrain
            found |= {f"{node.module}.{a.name}" for a in node.names} & set(MODULES)
    return found


def siting_imports(name: str) -> set[str]:
    return {m for m in imported_modules(TREES[name]) if m in MODULES and m != "siting"} - {name}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in graph:
        if module not in index:
            visit(module)
    return found


def test_the_import_graph_has_no_cycles():
    assert cycles({module: siting_imports(module) for module in MODULES}) == []


def test_the_cycle_check_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    lazy = ast.parse("def f():\n    from siting.land import terrain\n")
    assert "siting.land.terrain" in imported_modules(lazy)  # function-level imports count


@pytest.mark.parametrize("folder", sorted(ALLOWED))
def test_each_folder_imports_only_what_its_init_allows(folder):
    allowed = {f"siting.{name}" for name in ALLOWED[folder] | {folder}}
    offending = {}
    for module in MODULES:
        if module == f"siting.{folder}" or module.startswith(f"siting.{folder}."):
            bad = {
                target
                for target in siting_imports(module)
                if not any(target == a or target.startswith(a + ".") for a in allowed)
            }
            if bad:
                offending[module] = sorted(bad)
    assert offending == {}
    docstring = ast.get_docstring(TREES[f"siting.{folder}"]) or ""
    assert "may import" in docstring.lower(), (
        f"siting/{folder}/__init__.py must say what it may import"
    )


def disk_uses(tree: ast.Module) -> list[str]:
    uses = []
    for module in imported_modules(tree):
        top = module.split(".")[0]
        if module.startswith("siting.io") or module in DISK_MODULES or top in DISK_MODULES:
            uses.append(f"imports {module}")
        elif top == "rasterio" and module not in PURE_RASTERIO:
            uses.append(f"imports {module}")
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called in DISK_CALLS:
                uses.append(f"calls {called}() on line {node.lineno}")
    return uses


def test_no_science_module_touches_the_disk():
    offending = {
        module: disk_uses(TREES[module])
        for module in MODULES
        if module.split(".")[1:2] and module.split(".")[1] in SCIENCE and disk_uses(TREES[module])
    }
    assert offending == {}


def test_the_disk_check_sees_file_access():
    tree = ast.parse("import yaml\nfrom pathlib import Path\nPath('x').read_text()\nopen('y')")
    expected = ["imports yaml", "calls read_text() on line 3", "calls open() on line 4"]
    assert disk_uses(tree) == expected


def readme_layout() -> dict[str, set[str]]:
    """Folder -> module names, from the rows of the README's layout table."""
    section = README.read_text("utf-8").split("## Layout", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        match = re.match(r"\|\s*`siting/(\w+/)?`\s*\|(.*)\|\s*$", line)
        if match:
            folder = (match.group(1) or "").rstrip("/")
            rows[folder] = set(re.findall(r"`(\w+)`", match.group(2)))
    return rows


def tree_layout() -> dict[str, set[str]]:
    layout: dict[str, set[str]] = {}
    for module in MODULES:
        parts = module.split(".")[1:]
        if not parts or parts[-1].startswith("_"):
            continue
        if len(parts) == 1 and (PACKAGE / parts[0]).is_dir():
            continue  # a folder's __init__
        folder = parts[0] if len(parts) == 2 else ""
        layout.setdefault(folder, set()).add(parts[-1])
    return layout


def test_the_readme_layout_table_matches_the_tree():
    assert readme_layout() == tree_layout()


def test_the_public_names_resolve_and_import_siting_stays_light():
    import subprocess
    import sys

    import siting

    for name in siting.__all__:
        assert getattr(siting, name) is not None
    # ``import siting`` alone loads no stage: the entry points are imported on first use.
    code = "import sys, siting; print(any(m.startswith('siting.') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
