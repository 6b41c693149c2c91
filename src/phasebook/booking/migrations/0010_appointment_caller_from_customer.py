"""Appointments made before holds stopped creating customers carry their customer's details
as the caller's too, so that the caller exclusion constraint and the caller predicate
(booking/snapshot.py) see them. Every existing appointment keeps its customer."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def copy_customer_contact(apps, schema_editor):
    Appointment = apps.get_model("booking", "Appointment")
    Customer = apps.get_model("salons", "Customer")
    customer = Customer.objects.filter(pk=OuterRef("customer_id"))
    Appointment.objects.filter(customer__isnull=False).update(
        caller_name=Subquery(customer.values("name")[:1]),
        caller_phone=Subquery(customer.values("phone")[:1]),
        caller_email=Subquery(customer.values("email")[:1]),
    )


def clear_caller_contact(apps, schema_editor):
    Appointment = apps.get_model("booking", "Appointment")
    Appointment.objects.filter(customer__isnull=False).update(
        caller_name="", caller_phone="", caller_email=""
    )


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0009_appointment_caller_email_appointment_caller_name_and_more"),
    ]

    operations = [migrations.RunPython(copy_customer_contact, clear_caller_contact)]
