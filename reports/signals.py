"""What happened to stocktaking cycles, for whoever needs to tell someone.

Sent inside the transaction that makes the change; the notifications and audit apps listen.
"""

from django.dispatch import Signal

# cycle: the StocktakingCycle just made; actor: who made it (a user, or permissions.SYSTEM).
cycle_created = Signal()
# cycle: the StocktakingCycle just opened; actor: who opened it.
cycle_opened = Signal()
# cycle: the StocktakingCycle just closed; actor: who closed it. Its report goes to the participants.
cycle_closed = Signal()
