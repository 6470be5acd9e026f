"""The example notebook runs top to bottom in a real Jupyter kernel."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT

NOTEBOOK = ROOT / "examples" / "batch.ipynb"


def test_example_notebook_executes():
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    from jupyter_client.kernelspec import NoSuchKernel

    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        nb,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    kernel = client.setup_kernel()
    try:
        kernel.__enter__()
    except (NoSuchKernel, RuntimeError, TimeoutError, OSError) as e:
        pytest.skip(f"no Jupyter kernel could start here ({type(e).__name__}: {e})")
    try:
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
    finally:
        kernel.__exit__(None, None, None)

    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    mimes = [set(o.get("data", {})) for o in outputs]
    assert any("image/png" in m for m in mimes), "the coverage chart was drawn"
    html = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    assert any('class="policycheck-report"' in h for h in html), "a report was rendered"
    assert all(
        cell.get("outputs") == []
        for cell in nbformat.read(NOTEBOOK, 4).cells
        if cell.cell_type == "code"
    ), "the notebook is stored without outputs"
