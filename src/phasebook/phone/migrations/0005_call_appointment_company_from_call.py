from django.db import migrations
from django.db.models import OuterRef, Subquery


def company_from_call(apps, schema_editor):
    CallAppointment = apps.get_model("phone", "CallAppointment")
    Call = apps.get_model("phone", "Call")
    CallAppointment.objects.filter(company__isnull=True).update(
        company=Subquery(Call.objects.filter(pk=OuterRef("call_id")).values("company_id")[:1])
    )


class Migration(migrations.Migration):

    dependencies = [
        ("phone", "0004_callappointment_company_call_call_company_key"),
    ]

    operations = [
        migrations.RunPython(company_from_call, migrations.RunPython.noop),
    ]
