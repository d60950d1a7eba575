"""``python -m parceldesk`` runs the CLI."""

from parceldesk.cli import main

if __name__ == "__main__":
    main()
