# A day as UN documents in English write it, day first and the month's name short: "7 Dec 2026"
# (Django's own English "Dec. 7, 2026" puts the month first). Other languages keep Django's own,
# which name the month in full ("7 décembre 2026"): French's short names would make "Jui" June
# and "Jul" July.
DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y H:i"
