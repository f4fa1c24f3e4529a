import sys

from hssk_ingest_emr.bootstrap import SERVICE, bootstrap
from hssk_ingest_emr.settings import Settings
from hssk_kit.runtime import main

sys.exit(main(SERVICE, Settings(), bootstrap))
