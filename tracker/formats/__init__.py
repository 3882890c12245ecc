"""The tracker's own date formats, where Django's differ from UN usage (FORMAT_MODULE_PATH)."""
