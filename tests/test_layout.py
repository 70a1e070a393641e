"""The tests mirror the portal: every package under portal/ has its own tests/<package>/."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_portal_package_has_its_tests_folder():
    packages = {
        path.name for path in (ROOT / "portal").iterdir() if (path / "__init__.py").exists()
    }
    folders = {path.name for path in (ROOT / "tests").iterdir() if path.is_dir()}
    assert sorted(packages - folders) == []
