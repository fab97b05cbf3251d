"""`python -m indexer.cli`: the same as the `arabic-search` console script."""

import sys

from indexer.cli import main

sys.exit(main())
