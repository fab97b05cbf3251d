"""The optional C part of the package: the per-character loops of ingestion and indexing
(indexer/_scan.c). Without a C compiler the install goes on and indexer/scan.py runs
their pure-Python reference (indexer/_scan_py.py) instead: the same results, slower.
Everything else is declared in pyproject.toml."""

import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext
from setuptools.errors import CCompilerError, CompileError, ExecError, LinkError, PlatformError

# What a missing or failing compiler raises.
BUILD_ERRORS = (CCompilerError, CompileError, ExecError, LinkError, PlatformError, OSError)


class OptionalBuildExt(build_ext):
    """Builds the extension when it can; says so in one line when it cannot."""

    def run(self) -> None:
        try:
            super().run()
        except BUILD_ERRORS as error:  # no compiler at all
            self._skipped(error)

    def build_extension(self, ext: Extension) -> None:
        try:
            super().build_extension(ext)
        except BUILD_ERRORS as error:  # the compiler failed
            self._skipped(error)

    @staticmethod
    def _skipped(error: Exception) -> None:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        if len(reason) > 80:  # a failed command's message starts with the whole command
            reason = "..." + reason[-77:]
        print(
            f"arabic-search: the C extension was not built ({reason}); "
            "the pure-Python path runs instead (same results, slower)",
            file=sys.stderr,
        )


setup(
    ext_modules=[Extension("indexer._scan", ["indexer/_scan.c"], extra_compile_args=["-O3"])],
    cmdclass={"build_ext": OptionalBuildExt},
)
