"""Every notebook runs top to bottom on the embedded data, and is kept as HTML with its outputs.

The notebooks are stored without outputs; each test run writes the executed notebook, outputs
and figures included, to ``build/notebooks/<name>.html`` for readers who do not run them.
"""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
RENDERED = ROOT / "build" / "notebooks"


def test_there_are_notebooks():
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path, tmp_path, monkeypatch):
    # the kernel draws figures inline (into the outputs), never on a screen
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    notebook = nbformat.read(path, as_version=4)
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code"), (
        "store notebooks without outputs"
    )
    NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    ).execute()
    from nbconvert import HTMLExporter

    html, _ = HTMLExporter(embed_images=True).from_notebook_node(notebook)
    RENDERED.mkdir(parents=True, exist_ok=True)
    target = RENDERED / f"{path.stem}.html"
    temporary = target.with_suffix(".html.partial")
    temporary.write_text(html, "utf-8")
    temporary.replace(target)
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert outputs and "<html" in html
