"""Extension objects, created bare here and bound to the app in ``create_app``."""

from flask_mail import Mail
from flask_wtf.csrf import CSRFProtect
from govuk_frontend_wtf.main import WTFormsHelpers

csrf = CSRFProtect()
mail = Mail()
wtforms_helpers = WTFormsHelpers()
