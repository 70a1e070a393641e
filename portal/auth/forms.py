"""Forms for signing in and managing an account. Paste is allowed in every field (WCAG 3.3.8)."""

from __future__ import annotations

from typing import Any

from flask import current_app
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovPasswordInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import PasswordField, SelectChoice, SelectMultipleField, StringField, SubmitField
from wtforms.validators import Length, ValidationError

from portal.auth.models import EmailCategory
from portal.auth.passwords import MAX_LENGTH, password_problem
from portal.email_addresses import email_address_problem
from portal.forms import PortalForm, Required, strip_whitespace


class SendableEmail:
    """An email address the portal's email can reach (``portal.email_addresses``)."""

    def __call__(self, form: PortalForm, field: StringField) -> None:
        problem = email_address_problem(field.data or "")
        if problem:
            raise ValidationError(problem)


def email_field(label: str = "Email address", **kwargs: Any) -> StringField:
    return StringField(
        label,
        widget=GovTextInput(),
        filters=[strip_whitespace],
        validators=[
            Required("Enter your email address"),
            Length(max=320, message="Email address must be 320 characters or fewer"),
            SendableEmail(),
        ],
        render_kw={"autocomplete": "email", "spellcheck": "false", "type": "email"},
        **kwargs,
    )


class PasswordInput(GovPasswordInput):
    """GOV.UK's password input with the one ``autocomplete`` value this field needs.

    GOV.UK's macro writes ``autocomplete="current-password"`` unless told otherwise, so a value
    given as a plain attribute would make a second one, and browsers keep the first
    (WCAG 1.3.5): the value is passed as the macro's own parameter instead.
    """

    def __init__(self, autocomplete: str) -> None:
        super().__init__()
        self.autocomplete = autocomplete

    def map_gov_params(self, field: Any, **kwargs: Any) -> dict[str, Any]:
        params: dict[str, Any] = super().map_gov_params(field, **kwargs)
        params["autocomplete"] = self.autocomplete
        return params


class NewPassword:
    """Checks a new password against the rules in portal.auth.passwords."""

    def __call__(self, form: PortalForm, field: PasswordField) -> None:
        email = getattr(getattr(form, "email", None), "data", "") or ""
        name = getattr(getattr(form, "name", None), "data", "") or ""
        problem = password_problem(field.data or "", email=email, name=name)
        if problem:
            raise ValidationError(problem)


def new_password_field(label: str = "Create a password") -> PasswordField:
    return PasswordField(
        label,
        widget=PasswordInput("new-password"),
        validators=[Required("Enter a password"), NewPassword()],
    )


def password_hint() -> str:
    return (
        f"Use {current_app.config['PASSWORD_MIN_LENGTH']} characters or more. "
        "A good way to make a strong password is to use 3 random words."
    )


class SignInForm(PortalForm):
    email = email_field()
    password = PasswordField(
        "Password",
        widget=PasswordInput("current-password"),
        validators=[
            Required("Enter your password"),
            Length(max=MAX_LENGTH, message="The email address or password is incorrect"),
        ],
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class SecondFactorForm(PortalForm):
    code = StringField(
        "Security code",
        description="Enter the 6-digit code from your authenticator app, "
        "or one of your recovery codes.",
        widget=GovTextInput(),
        filters=[strip_whitespace],
        validators=[
            Required("Enter the security code"),
            Length(max=20, message="Enter the 6-digit code or a recovery code"),
        ],
        render_kw={"autocomplete": "one-time-code", "spellcheck": "false"},
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


class TwoFactorSetUpForm(PortalForm):
    code = StringField(
        "Code from your authenticator app",
        description="Enter the 6-digit code your app shows after adding the account.",
        widget=GovTextInput(),
        filters=[strip_whitespace],
        validators=[
            Required("Enter the 6-digit code shown in your authenticator app"),
            Length(max=10, message="Enter the 6-digit code shown in your authenticator app"),
        ],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"},
    )
    submit = SubmitField("Turn on two-factor sign-in", widget=GovSubmitInput())


class CreateAccountForm(PortalForm):
    name = StringField(
        "Full name",
        widget=GovTextInput(),
        filters=[strip_whitespace],
        validators=[
            Required("Enter your full name"),
            Length(max=200, message="Full name must be 200 characters or fewer"),
        ],
        render_kw={"autocomplete": "name", "spellcheck": "false"},
    )
    email = email_field(description="We will send you a link to confirm it.")
    password = new_password_field()
    submit = SubmitField("Create account", widget=GovSubmitInput())


class ForgotPasswordForm(PortalForm):
    email = email_field()
    submit = SubmitField("Send reset link", widget=GovSubmitInput())


class NewPasswordForm(PortalForm):
    password = new_password_field("New password")
    submit = SubmitField("Save password", widget=GovSubmitInput())


class ChangePasswordForm(PortalForm):
    current_password = PasswordField(
        "Current password",
        widget=PasswordInput("current-password"),
        validators=[Required("Enter your current password")],
    )
    password = new_password_field("New password")
    submit = SubmitField("Change password", widget=GovSubmitInput())


class ChangeEmailForm(PortalForm):
    email = email_field("New email address")
    password = PasswordField(
        "Your password",
        description="To keep your account safe, confirm it is you.",
        widget=PasswordInput("current-password"),
        validators=[Required("Enter your password")],
    )
    submit = SubmitField("Send confirmation link", widget=GovSubmitInput())


class EmailPreferencesForm(PortalForm):
    wanted = SelectMultipleField(
        "Which emails do you want to get?",
        description="We always send emails you need, such as sign-in links, offers of a "
        "place and booking confirmations. Select all that apply.",
        choices=[SelectChoice(category.value, category.label) for category in EmailCategory],
        widget=GovCheckboxesInput(),
    )
    submit = SubmitField("Save choices", widget=GovSubmitInput())


class ConfirmForm(PortalForm):
    """A form that is only a button (sign out, send again, turn off): the CSRF token matters."""

    submit = SubmitField("Continue", widget=GovSubmitInput())
