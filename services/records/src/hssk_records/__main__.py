import sys

from hssk_records.bootstrap import SERVICE, bootstrap
from hssk_records.settings import Settings
from hssk_kit.runtime import main

sys.exit(main(SERVICE, Settings(), bootstrap))
