"""Everything services share: event envelope, versioned event models, topics, API shapes.

Nothing here does I/O; services depend on this package and never on each other.
"""
