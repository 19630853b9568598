"""Project-wide tests (authorization matrix, assets, CSP) use the fixtures in fuyuan.conftest."""

pytest_plugins = ["fuyuan.conftest"]
