"""TeamDesk: offline-first desk for Vietnam's community digital technology teams.

The core (this package, and ``teamdesk.sync``) never imports Qt; ``teamdesk.ui`` draws it.
"""

from datetime import date

__version__ = "0.1.0"
# A system clock earlier than this is certainly wrong (flat CMOS battery): see clock health.
RELEASE_DATE = date(2026, 11, 22)
