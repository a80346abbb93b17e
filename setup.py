"""The build's one step that setup.cfg cannot say: copy the top-level templates/, migrations/ and alembic.ini
into the wheel as talentbank/_bundled/, so a plain (non-editable) install runs without the checkout.

The folders stay at the top of the repository (the design card's layout); talentbank/config.py reads them from
there in a checkout and from talentbank/_bundled/ in an installed wheel. MANIFEST.in puts them in the sdist.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
BUNDLED = ("templates", "migrations", "alembic.ini")


class BuildPyWithBundled(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:  # an editable install reads the checkout's own folders
            return
        target = Path(self.build_lib, "talentbank", "_bundled")
        shutil.rmtree(target, ignore_errors=True)  # nothing stale from an earlier build
        target.mkdir(parents=True)
        for name in BUNDLED:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__", "*.py[co]"))
            else:
                shutil.copy2(source, target / name)  # a missing file fails the build, loudly


setup(cmdclass={"build_py": BuildPyWithBundled})
