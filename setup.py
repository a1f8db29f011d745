"""Builds gauntlet._core with the project's CMake build (Release, no tests or benchmarks).

Environment: JOBS (parallel compile jobs, default: the number of cores), GAUNTLET_CMAKE_ARGS (more
CMake arguments, e.g. -DCMAKE_CXX_COMPILER_LAUNCHER=ccache).
"""

import os
import pathlib
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = pathlib.Path(__file__).resolve().parent


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        build_dir = pathlib.Path(self.build_temp).resolve() / "cmake"
        build_dir.mkdir(parents=True, exist_ok=True)
        configure = [
            "cmake", "-S", str(ROOT), "-B", str(build_dir), "-DCMAKE_BUILD_TYPE=Release",
            "-DGAUNTLET_BUILD_TESTS=OFF", "-DGAUNTLET_BUILD_BENCH=OFF", "-DGAUNTLET_BUILD_PYTHON=ON",
            f"-DPython3_EXECUTABLE={sys.executable}",
        ] + os.environ.get("GAUNTLET_CMAKE_ARGS", "").split()
        subprocess.run(configure, check=True)
        jobs = os.environ.get("JOBS", str(os.cpu_count() or 2))
        subprocess.run(["cmake", "--build", str(build_dir), "--target", "gauntlet_python", "-j", jobs], check=True)
        built = list((build_dir / "python" / "gauntlet").glob("_core*.so"))
        if len(built) != 1:
            raise RuntimeError(f"expected one _core module in {build_dir / 'python' / 'gauntlet'}, found {built}")
        target = pathlib.Path(self.get_ext_fullpath(ext.name))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built[0], target)


setup(
    packages=["gauntlet"],
    package_dir={"": "python"},
    ext_modules=[Extension("gauntlet._core", sources=[])],
    cmdclass={"build_ext": CMakeBuild},
    zip_safe=False,
)
