"""What happened to accounts' API tokens, for whoever keeps a record.

Sent inside the transaction that makes the change; the audit app listens.
"""

from django.dispatch import Signal

# token: the ApiToken just made (its key is never sent).
token_created = Signal()
# token: the ApiToken just revoked; actor: the user who revoked it.
token_revoked = Signal()
