"""Dates and times as the whole site writes them: 24-hour clock, day before month.

Django's own en_GB formats write "3:50 p.m."; a page or notification that prints a date
without a format of its own uses these instead, so every time reads "15:50".
"""

DATE_FORMAT = "j M Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
