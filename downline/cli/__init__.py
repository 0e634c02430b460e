"""The `downline` command line: the top layer, which nothing else in the project imports."""

from downline.cli.main import main

__all__ = ["main"]
