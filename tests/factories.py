"""factory_boy factories, synthetic data only (Faker ``fr_FR``)."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from factory.django import DjangoModelFactory

from ijinus_privacy import roles

factory.Faker._DEFAULT_LOCALE = "fr_FR"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@ijinus.example")
    is_staff = True
    password = factory.django.Password("test-password-123")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            roles.roles_sync()
            self.groups.add(Group.objects.get(name=extracted))


def dpo_user(**kwargs):
    return UserFactory(username="dpo", role=roles.DPO, **kwargs)


def support_user(**kwargs):
    return UserFactory(username="support", role=roles.CUSTOMER_SERVICE, **kwargs)


def archivist_user(**kwargs):
    return UserFactory(username="archivist", role=roles.ARCHIVIST, **kwargs)
