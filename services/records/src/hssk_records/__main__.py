import sys

from hssk_kit.runtime import main
from hssk_records.bootstrap import SERVICE, bootstrap
from hssk_records.settings import Settings

sys.exit(main(SERVICE, Settings(), bootstrap))
