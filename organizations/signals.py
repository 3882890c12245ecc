"""What happened to accounts and their API tokens, for whoever keeps a record (and sends the mail).

Sent inside the transaction that makes the change; the audit app listens.
"""

from django.dispatch import Signal

# token: the ApiToken just made (its key is never sent).
token_created = Signal()
# token: the ApiToken just revoked; actor: the user who revoked it.
token_revoked = Signal()

# user: the account just made with no password yet; invited_by: who invited them; link: the path of
# the page where they set their password (organizations/invitations.py), for the e-mail.
user_invited = Signal()
# user: the account closed or opened again; actor: who did it.
account_deactivated = Signal()
account_reactivated = Signal()
