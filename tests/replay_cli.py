"""`posture ARGS` with the pose model's answers served from tests/data/replay (the fast lane's CLI):

    .venv/bin/python -m tests.replay_cli analyze samples/neutral/*.jpg --json
"""

import sys

import pytest

from posture.cli import main
from tests.replay import use_replay

if __name__ == "__main__":
    with pytest.MonkeyPatch.context() as patch:
        use_replay(patch)
        sys.exit(main())
