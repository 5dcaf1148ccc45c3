import sys

from backhome.cli import main

sys.exit(main())
