from django.db import migrations
from django.db.models import OuterRef, Subquery


def company_from_appointment(apps, schema_editor):
    AppointmentPhase = apps.get_model("booking", "AppointmentPhase")
    Appointment = apps.get_model("booking", "Appointment")
    AppointmentPhase.objects.filter(company__isnull=True).update(
        company=Subquery(
            Appointment.objects.filter(pk=OuterRef("appointment_id")).values("company_id")[:1]
        )
    )


class Migration(migrations.Migration):

    dependencies = [
        ("booking", "0006_appointmentphase_company_and_more"),
    ]

    operations = [
        migrations.RunPython(company_from_appointment, migrations.RunPython.noop),
    ]
