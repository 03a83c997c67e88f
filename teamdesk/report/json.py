"""The report as JSON: every figure, for scripts and for the province's own tools."""

from __future__ import annotations

import json
from typing import BinaryIO


def write(report, fh: BinaryIO) -> None:
    fh.write(json.dumps(report.to_json(), ensure_ascii=False, indent=2, default=str).encode("utf-8"))
