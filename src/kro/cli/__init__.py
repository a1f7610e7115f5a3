"""The ``kro`` command."""
