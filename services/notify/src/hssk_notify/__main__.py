import sys

from hssk_kit.runtime import main
from hssk_notify.bootstrap import SERVICE, bootstrap
from hssk_notify.settings import Settings

sys.exit(main(SERVICE, Settings(), bootstrap))
