"""Webhooks leave the jobs app for their own (studio.webhooks): the tables are renamed to the new
app's names here, and the models leave jobs' state; webhooks/0001 takes them over, state only."""

from django.db import migrations

MODELS = ("WebhookAttempt", "WebhookCallback", "WebhookCallbackSecret", "WebhookDelivery", "WebhookEndpoint")


class Migration(migrations.Migration):

    dependencies = [
        ('jobs', '0006_worker_heartbeat'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable(name=name, table=f"webhooks_{name.lower()}") for name in MODELS
            ],
            state_operations=[
                migrations.RemoveField(
                    model_name='webhookcallback',
                    name='job',
                ),
                migrations.RemoveField(
                    model_name='webhookcallbacksecret',
                    name='owner',
                ),
                migrations.RemoveField(
                    model_name='webhookdelivery',
                    name='endpoint',
                ),
                migrations.RemoveField(
                    model_name='webhookdelivery',
                    name='job',
                ),
                migrations.RemoveField(
                    model_name='webhookdelivery',
                    name='owner',
                ),
                migrations.RemoveField(
                    model_name='webhookdelivery',
                    name='redelivery_of',
                ),
                migrations.RemoveField(
                    model_name='webhookendpoint',
                    name='owner',
                ),
                migrations.DeleteModel(
                    name='WebhookAttempt',
                ),
                migrations.DeleteModel(
                    name='WebhookCallback',
                ),
                migrations.DeleteModel(
                    name='WebhookCallbackSecret',
                ),
                migrations.DeleteModel(
                    name='WebhookDelivery',
                ),
                migrations.DeleteModel(
                    name='WebhookEndpoint',
                ),
            ],
        ),
    ]
