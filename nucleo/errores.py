class ErrorTemporal(Exception):
    """The SMTP server or the network failed in a way worth retrying (4xx, refused, timeout)."""
