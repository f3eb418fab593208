"""``python -m submodkit``: the command line (:func:`submodkit.cli.main`)."""

import sys

from submodkit.cli import main

if __name__ == "__main__":
    sys.exit(main())
