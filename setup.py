"""Packaging glue: the top-level data/ folder ships inside the package as tui_app.data."""
from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["tui_app", "tui_app.*"]) + ["tui_app.data"],
    package_dir={"tui_app.data": "data"},
)
