"""The instance folder: what one deployment keeps beside the code (database, secret key, uploads).

`python -m branchwork.instance` creates it and a random secret key once; it never overwrites one.
"""

import os
import secrets
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent


def instance_dir() -> Path:
    return Path(os.environ.get("BRANCHWORK_INSTANCE", REPO_DIR / "instance")).resolve()


def secret_key_file() -> Path:
    return instance_dir() / "secret_key"


def ensure_secret_key() -> Path:
    path = secret_key_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        # Created readable by its owner only, before anything is written into it.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(50))
    return path


if __name__ == "__main__":
    print(f"instance: {instance_dir()}\nsecret key: {ensure_secret_key()}")
