"""Signals of the accounts-and-organizations layer, for the apps above it to react without comunas importing them.

acceso_retirado   people lost the access one organization gave them: a member was removed from its team, or
                  the organization was suspended (all its members). Sent inside the service's transaction,
                  after the change, so a receiver sees the new state and its writes commit or roll back with it.
                  Arguments: organizacion, usuarios (a list), por (who did it), motivo (Spanish, for the audit).
"""

from django.dispatch import Signal

acceso_retirado = Signal()
