# Data migration: rows that were already waiting get the time of their last change as
# pending_since (the best this database knows), so the oldest-pending alert sees them.

from django.db import migrations
from django.db.models import F


def set_pending_since(apps, schema_editor):
    PhaseSyncTask = apps.get_model("calsync", "PhaseSyncTask")
    PhaseSyncTask.objects.filter(status__in=["pending", "running"]).update(
        pending_since=F("updated_at")
    )


def clear_pending_since(apps, schema_editor):
    PhaseSyncTask = apps.get_model("calsync", "PhaseSyncTask")
    PhaseSyncTask.objects.update(pending_since=None)


class Migration(migrations.Migration):
    dependencies = [
        ("calsync", "0003_phasesynctask_pending_since_reconcilerun"),
    ]

    operations = [
        migrations.RunPython(set_pending_since, clear_pending_since),
    ]
