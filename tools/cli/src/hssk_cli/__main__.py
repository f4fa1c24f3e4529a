import sys

from hssk_cli.main import main

sys.exit(main())
