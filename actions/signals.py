"""What happened to progress, for whoever needs to tell someone.

Sent inside the transaction that makes the change, so what a receiver writes (an e-mail
to send) commits or rolls back with it. The domain does not know who listens: the
notifications app does, and decides whom to tell.
"""

from django.dispatch import Signal

# entry: the StatusEntry just logged.
entry_logged = Signal()
# entry: the StatusEntry returned; review: the StatusEntryReview that returned it.
entry_returned = Signal()
