"""Starting a worker stays cheap: heavy libraries are imported where they are used."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.fixtures.http import ROOT

HEAVY = ("ortools", "pandas", "numpy", "openpyxl", "docx")

_IMPORTED = f"""
import json, sys
from wsgi import app
from portal.cli import *  # the commands cron runs (run-jobs) import this too
print(json.dumps([name for name in {HEAVY!r} if name in sys.modules]))
"""


def test_importing_the_app_imports_no_heavy_library(tmp_path):
    ran = subprocess.run(  # noqa: S603 (our own interpreter, fixed code)
        [sys.executable, "-c", _IMPORTED],
        cwd=ROOT,
        env={"PORTAL_SECRET_KEY": "k" * 40, "PORTAL_INSTANCE_PATH": str(tmp_path), "PATH": ""},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert json.loads(ran.stdout.splitlines()[-1]) == []
