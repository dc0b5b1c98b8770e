"""Startup does only the work its first frame needs: counted in modules loaded, never timed.

Each check runs in a fresh interpreter (this test process has loaded everything already).
"""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def loaded_after(code):
    """The names in sys.modules after running ``code`` in a fresh interpreter."""
    script = code + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                         text=True, timeout=120, check=True).stdout
    return set(json.loads(out.splitlines()[-1]))


def test_the_symbolic_worker_loads_sympy_but_not_numpy_or_the_rest_of_the_core():
    # the worker starts at launch beside the window: what it imports competes for the CPU
    loaded = loaded_after("import gd_explorer.core.worker, gd_explorer.core.symbolic")
    assert "sympy" in loaded
    assert "numpy" not in loaded and "contourpy" not in loaded
    assert not {"gd_explorer.core.descent", "gd_explorer.core.function"} & loaded


def test_the_package_names_still_load_on_use():
    loaded = loaded_after("from gd_explorer import parse_function, Grid, __version__\n"
                          "from gd_explorer.core import session, InputError\n"
                          "assert parse_function('x^2 + y').text")
    assert {"gd_explorer.core.function", "gd_explorer.core.grid",
            "gd_explorer.core.session", "gd_explorer.core.errors"} <= loaded
