"""Pure domain model: shipments, parties, addresses, policies, commands, events and errors.

Nothing here does I/O, reads a clock or imports a framework.
"""
