"""List prices (1 point = 1 US cent) and three point packages, each cheaper per point than the last."""
from django.db import migrations

PRICES = {"train": 100, "create_solo": 10, "create_person": 8, "stylize": 5, "idphoto": 5, "check": 0}
PACKAGES = [("Starter", 1_000, 900), ("Studio", 5_000, 4_000), ("Agency", 20_000, 14_000)]


def seed(apps, schema_editor):
    Price = apps.get_model("billing", "Price")
    PointPackage = apps.get_model("billing", "PointPackage")
    for operation, points in PRICES.items():
        Price.objects.get_or_create(operation=operation, defaults={"points": points})
    if not PointPackage.objects.exists():
        for name, points, cents in PACKAGES:
            PointPackage.objects.create(name=name, points=points, price_cents=cents, currency="usd")


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
