"""Settings of the server the load measure starts: the project's own, plus a trivial view
(benchmarks/bench_urls.py) behind the same middleware, and static files collected once
without compression into var/bench/static (the compressed manifest of a deployment takes
longer to build and serves the same pages)."""

import os
from pathlib import Path

from fuyuan.settings import *  # noqa: F403
from fuyuan.settings import REPO_DIR

ROOT_URLCONF = "benchmarks.bench_urls"
STATIC_ROOT = Path(os.environ.get("FUYUAN_STATIC_ROOT", REPO_DIR / "var" / "bench" / "static"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}
