"""Phone calls: telephony media streams in, the conversation engine, speech back out."""
