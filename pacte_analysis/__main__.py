"""``python -m pacte_analysis``: the ``pacte`` command."""

import sys

from pacte_analysis.cli import main

if __name__ == "__main__":
    sys.exit(main())
