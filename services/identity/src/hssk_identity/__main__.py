import sys

from hssk_identity.bootstrap import SERVICE, bootstrap
from hssk_identity.settings import Settings
from hssk_kit.runtime import main

sys.exit(main(SERVICE, Settings(), bootstrap))
