"""Natural-language understanding: language, intent and slots of one customer message."""
