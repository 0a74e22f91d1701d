"""A tiny library, vendored as a wheel to show installs without a package index."""


def hello(who: str) -> str:
    return f"Hello from {who} on Wharf"
