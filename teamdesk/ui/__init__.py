"""The PySide6 desktop app: thin widgets over the core; the only place Qt is imported."""
