import sys

from posture.cli import main

sys.exit(main())
