"""Messaging: the SMS outbox, its templates, webhooks and consent at the moment of sending.

The app label stays "sms" (it was ``seniorene.sms`` until issue 17): tables, migration
history and content types are those of the label, so the move changed no database.
"""

from __future__ import annotations

from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "messaging"
    label = "sms"
    verbose_name = "SMS"

    def ready(self) -> None:
        from customers import hooks
        from messaging import audit_sentences, conversation, inbound, services, tasks

        audit_sentences.register()  # its audit events in plain words

        services.send_task_register(tasks.send_sms, batch=tasks.send_sms_batch)
        hooks.on_recipient_end(services.cancel_on_recipient_stop)
        hooks.on_recipient_pause(services.cancel_on_recipient_stop)
        hooks.on_recipient_anonymise(services.anonymise_for_recipient)
        hooks.export_section(services.export_for_recipient)
        # Issue 21: replies are kept; on the card as a conversation, in the export.
        hooks.on_recipient_anonymise(inbound.anonymise_replies_for_recipient)
        hooks.export_section(inbound.export_replies_for_recipient)
        hooks.page_section(conversation.card_section)
