import sys

from hssk_notify.bootstrap import SERVICE, bootstrap
from hssk_notify.settings import Settings
from hssk_kit.runtime import main

sys.exit(main(SERVICE, Settings(), bootstrap))
