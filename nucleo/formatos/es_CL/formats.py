"""Dates and numbers as Mesa writes them (settings.FORMAT_MODULE_PATH), the same on every page, e-mail and file.

Running text: "miércoles 16 de diciembre de 2026, 10:00" (months and weekdays in lowercase, as Spanish writes
them); tables and lists: "16-12-2026". Templates use the filters of nucleo/templatetags/formato.py, which read
these formats; a date printed without a filter gets them too.
"""

DATE_FORMAT = r"l j \d\e F \d\e Y"  # miércoles 16 de diciembre de 2026
DATETIME_FORMAT = r"l j \d\e F \d\e Y, H:i"  # miércoles 16 de diciembre de 2026, 10:00
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = r"F \d\e Y"  # diciembre de 2026
MONTH_DAY_FORMAT = r"j \d\e F"  # 16 de diciembre
SHORT_DATE_FORMAT = "d-m-Y"  # 16-12-2026
SHORT_DATETIME_FORMAT = "d-m-Y H:i"  # 16-12-2026 10:00
FIRST_DAY_OF_WEEK = 1  # lunes
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
