"""Outbound webhooks: endpoints, events signed by the Standard Webhooks specification, their delivery
with retries by the workers, and the delivery log. Services in services.py, sending in delivery.py."""
