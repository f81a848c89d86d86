import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

# fixtures shared by the unit tests
from loopback import server  # noqa: E402,F401  (a loopback HTTP server per test: ``server(*answers)``)
