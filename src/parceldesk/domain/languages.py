"""The languages parceldesk speaks, each first-class: Chinese (Mandarin), English, Indonesian."""

LANGUAGES = ("zh", "en", "id")
