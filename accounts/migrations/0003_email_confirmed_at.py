"""Users confirm their email address to get the free trial. Users who exist already keep what they
have: they count as confirmed since they joined."""
from django.db import migrations, models
from django.db.models import F


def existing_users_confirmed(apps, schema_editor) -> None:
    User = apps.get_model("accounts", "User")
    User.objects.filter(email_confirmed_at__isnull=True).update(email_confirmed_at=F("date_joined"))


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0002_api_keys"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="email_confirmed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="email confirmed"),
        ),
        migrations.RunPython(existing_users_confirmed, migrations.RunPython.noop),
    ]
