"""Build: compile the simulation's hot path with mypyc, or install pure Python when that fails.

The engine is plain typed Python. mypyc turns the modules below into C extensions that run a shift
several times faster (bench/engine_vs_simpy.py); the game and every test behave the same either
way. Compiling needs a C compiler and Python's headers. Without them, or with PIZZASHOP_PURE=1 set,
the install carries the pure-Python modules alone. Everything else is in pyproject.toml.
"""

from __future__ import annotations

import os
import sys
import tomllib
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext
from setuptools.command.build_py import build_py

PROJECT = tomllib.loads((Path(__file__).parent / "pyproject.toml").read_text())
COMPILED = PROJECT["tool"]["pizzashop"]["compiled"]  # listed there, with why
GROUP = "pizzashop_sim"  # mypyc's shared runtime library is named after this


def wants_compiled() -> bool:
    return os.environ.get("PIZZASHOP_PURE", "") in ("", "0")


class BuildCompiledSim(build_ext):
    """Generate the C with mypyc and compile it; on any failure, leave pure Python behind."""

    def finalize_options(self) -> None:
        if self.distribution.ext_modules:  # the placeholder below: compiling is wanted
            try:
                from mypyc.build import mypycify

                self.distribution.ext_modules = mypycify(
                    [f"pizzashop/sim/{name}.py" for name in COMPILED],
                    opt_level="3",
                    group_name=GROUP,
                )
            except Exception as error:  # mypy missing, or it rejected the code
                self.distribution.ext_modules = []
                fall_back(error)
        super().finalize_options()

    def run(self) -> None:
        try:
            super().run()
        except Exception as error:  # no compiler, or no Python headers
            for extension in self.extensions:
                Path(self.get_ext_fullpath(extension.name)).unlink(missing_ok=True)
            self.extensions = []
            fall_back(error)


def fall_back(error: Exception) -> None:
    print(
        f"pizzashop: the compiled simulation could not be built ({error}); "
        "installing pure Python, which plays the same but runs slower",
        file=sys.stderr,
    )


class BuildPyWithAssets(build_py):
    """Put the repository's `assets/` into the wheel as `pizzashop/assets`."""

    def run(self) -> None:
        super().run()
        if not self.editable_mode:  # an editable install reads `assets/` from the checkout
            self.copy_tree("assets", str(Path(self.build_lib) / "pizzashop" / "assets"))


setup(
    # A placeholder that makes setuptools run build_ext and tag the wheel for this platform;
    # BuildCompiledSim replaces it with mypyc's.
    ext_modules=[Extension(f"{GROUP}__mypyc", sources=[])] if wants_compiled() else [],
    cmdclass={"build_ext": BuildCompiledSim, "build_py": BuildPyWithAssets},
)
