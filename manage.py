#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mesa.settings")
    # Commands typed on a developer's machine run in development mode; production sets DEBUG=0 in its
    # environment (gunicorn and Celery never default to it: they refuse to start without their settings).
    os.environ.setdefault("DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
