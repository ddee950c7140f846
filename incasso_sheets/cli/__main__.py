"""`python -m incasso_sheets.cli`: the tests start real processes this way."""

import sys

from incasso_sheets.cli import main

sys.exit(main())
