"""The client of a hold or booking: their details checked, and as a customer found or created."""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_noop

from phasebook.booking.errors import InvalidRequest
from phasebook.salons.models import Company, Customer
from phasebook.scheduling.explain import Sentence


@dataclass(frozen=True)
class CustomerDetails:
    name: str
    phone: str = ""
    email: str = ""


def normalize_phone(raw: str, region: str) -> str:
    """E.164 from what a caller typed in any common national or international format of
    the salon's country ("0171 2345678", "+49 171 …", "0049 …", "(030) 123 4567"), or
    InvalidRequest with an example of that country."""
    try:
        number = phonenumbers.parse(raw, region or None)
    except phonenumbers.NumberParseException as error:
        raise _invalid_phone(region) from error
    if not phonenumbers.is_valid_number(number):
        raise _invalid_phone(region)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _invalid_phone(region: str) -> InvalidRequest:
    example = phonenumbers.example_number_for_type(
        region or "DE", phonenumbers.PhoneNumberType.MOBILE
    ) or phonenumbers.example_number_for_type("DE", phonenumbers.PhoneNumberType.MOBILE)
    assert example is not None  # noqa: S101 - phonenumbers ships Germany's example
    formats = {
        "national": phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL),
        "international": phonenumbers.format_number(
            example, phonenumbers.PhoneNumberFormat.INTERNATIONAL
        ),
    }
    message = gettext_noop(
        "Die Telefonnummer ist ungültig. Bitte z. B. so angeben: %(national)s oder "
        "%(international)s."
    )
    return InvalidRequest(Sentence(message, formats), field="customer.phone")


def clean_details(company: Company, details: CustomerDetails) -> CustomerDetails:
    """The details with the name trimmed, the e-mail address lower-cased and the phone
    number in E.164; InvalidRequest naming the field that is not usable."""
    name = details.name.strip()
    if not name or len(name) > 200:
        raise InvalidRequest(
            gettext_noop(
                "Bitte den Namen der Kundin oder des Kunden angeben (höchstens 200 Zeichen)."
            ),
            field="customer.name",
        )
    email = details.email.strip().lower()
    if email:
        try:
            validate_email(email)
        except ValidationError as error:
            raise InvalidRequest(
                gettext_noop("Die E-Mail-Adresse ist ungültig."), field="customer.email"
            ) from error
    phone = details.phone.strip()
    if phone:
        phone = normalize_phone(phone, company.public_holidays_country or "DE")
    return CustomerDetails(name, phone, email)


def find_or_create_customer(company: Company, details: CustomerDetails) -> Customer:
    """The company's customer with this phone number, else a new one.

    An existing customer's name and e-mail are not overwritten by what a caller says:
    a phone agent mishearing a name must not rename a regular client.
    """
    cleaned = clean_details(company, details)
    if cleaned.phone:
        customer, _ = Customer.objects.get_or_create(
            company=company,
            phone=cleaned.phone,
            defaults={"name": cleaned.name, "email": cleaned.email},
        )
        return customer
    return Customer.objects.create(company=company, name=cleaned.name, email=cleaned.email)


def find_customer(company: Company, details: CustomerDetails) -> Customer | None:
    """The company's customer with this phone number, if there is one; creates nothing."""
    phone = clean_details(company, details).phone
    if not phone:
        return None
    return Customer.objects.filter(company=company, phone=phone).first()
