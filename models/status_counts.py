"""Step counts per municipality and status, maintained by triggers (issue 19).

Filled in by the status-counters work; registered here so that ``models`` imports it.
"""

from __future__ import annotations
