"""Where the project's bundled assets live (sql/, schemas/, config/)."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SQL_DIR = PROJECT_ROOT / "sql"
SCHEMAS_DIR = PROJECT_ROOT / "schemas"
CONFIG_DIR = PROJECT_ROOT / "config"
DEFAULT_CONFIG = PROJECT_ROOT / "civicpulse.yml"
