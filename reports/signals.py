"""What happened to stocktaking cycles, for whoever needs to tell someone.

Sent inside the transaction that makes the change; the notifications app listens.
"""

from django.dispatch import Signal

# cycle: the StocktakingCycle just closed. Its report goes to the participants.
cycle_closed = Signal()
