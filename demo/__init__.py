"""The demo database builder (`python -m cli demo`): on top, since it writes through every layer below."""
