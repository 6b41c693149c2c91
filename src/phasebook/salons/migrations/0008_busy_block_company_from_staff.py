from django.db import migrations
from django.db.models import OuterRef, Subquery


def company_from_staff(apps, schema_editor):
    ExternalBusyBlock = apps.get_model("salons", "ExternalBusyBlock")
    Staff = apps.get_model("salons", "Staff")
    ExternalBusyBlock.objects.filter(company__isnull=True).update(
        company=Subquery(Staff.objects.filter(pk=OuterRef("staff_id")).values("company_id")[:1])
    )


class Migration(migrations.Migration):

    dependencies = [
        ("salons", "0007_externalbusyblock_company"),
    ]

    operations = [
        migrations.RunPython(company_from_staff, migrations.RunPython.noop),
    ]
