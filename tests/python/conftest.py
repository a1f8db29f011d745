"""Shared fixtures: the repository root, the gauntlet binary of the same build, scratch folders."""

import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def binary() -> str:
    path = os.environ.get("GAUNTLET_BINARY", str(ROOT / "build" / "gauntlet"))
    if not os.path.exists(path):
        raise RuntimeError(f"the gauntlet binary {path} is missing: build it first (tools/dev test does)")
    return path


@pytest.fixture
def cli():
    """Runs the gauntlet command line; returns the CompletedProcess."""

    def call(*args, check=False):
        return subprocess.run([binary(), *map(str, args)], capture_output=True, text=True, check=check)

    return call


@pytest.fixture
def root() -> pathlib.Path:
    return ROOT
