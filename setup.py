"""Optional C accelerators; everything else about the package is in pyproject.toml.

Each extension has a pure-Python twin that gives the same results (tests hold them to it), so
``optional=True``: without a C compiler the install still succeeds and the checker runs slower.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "checker._native_features",
            ["checker/_native_features.c"],
            optional=True,
            extra_compile_args=["-O2"],
        ),
        Extension(
            "checker._native_literals",
            ["checker/_native_literals.c"],
            optional=True,
            extra_compile_args=["-O2"],
        ),
    ]
)
