"""Capture time and position from EXIF tags, as plain mappings (Pillow-free, so testable).

Cameras write what they like: a missing tag, a zero denominator or a garbled date mean
"unknown", never an error: a photo without EXIF is still a valid photo.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any, Final

from pydantic import ValidationError

from contracts.events.common import GeoPoint

DATE_TIME_ORIGINAL: Final = 0x9003
OFFSET_TIME_ORIGINAL: Final = 0x9011
GPS_LATITUDE_REF: Final = 1
GPS_LATITUDE: Final = 2
GPS_LONGITUDE_REF: Final = 3
GPS_LONGITUDE: Final = 4


def _offset(raw: Any) -> tzinfo | None:
    """`+03:00` (EXIF 2.31 OffsetTimeOriginal) as a fixed offset."""
    if not isinstance(raw, str) or len(raw) != 6 or raw[0] not in "+-" or raw[3] != ":":
        return None
    try:
        hours, minutes = int(raw[1:3]), int(raw[4:6])
    except ValueError:
        return None
    sign = 1 if raw[0] == "+" else -1
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def capture_time(exif_ifd: Mapping[int, Any], local: tzinfo) -> datetime | None:
    """DateTimeOriginal, in its recorded offset, else in `local` (the company's zone):
    without an offset EXIF time is the camera's wall clock, which on site is local time."""
    raw = exif_ifd.get(DATE_TIME_ORIGINAL)
    if isinstance(raw, bytes):
        raw = raw.decode("ascii", "replace")
    if not isinstance(raw, str):
        return None
    try:
        naive = datetime.strptime(raw.strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")  # noqa: DTZ007
    except ValueError:
        return None
    return naive.replace(tzinfo=_offset(exif_ifd.get(OFFSET_TIME_ORIGINAL)) or local)


def _degrees(value: Any) -> float | None:
    """Degrees, minutes, seconds (three rationals) as decimal degrees."""
    if not isinstance(value, Sequence) or len(value) != 3:
        return None
    try:
        d, m, s = (float(part) for part in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    result = d + m / 60 + s / 3600
    return result if math.isfinite(result) else None


def position(gps_ifd: Mapping[int, Any]) -> GeoPoint | None:
    lat = _degrees(gps_ifd.get(GPS_LATITUDE))
    lon = _degrees(gps_ifd.get(GPS_LONGITUDE))
    if lat is None or lon is None or (lat == 0 and lon == 0):
        return None  # 0,0 is what receivers without a fix write
    if str(gps_ifd.get(GPS_LATITUDE_REF, "N")).upper().startswith("S"):
        lat = -lat
    if str(gps_ifd.get(GPS_LONGITUDE_REF, "E")).upper().startswith("W"):
        lon = -lon
    try:
        return GeoPoint(lat=round(lat, 7), lon=round(lon, 7))
    except ValidationError:
        return None
