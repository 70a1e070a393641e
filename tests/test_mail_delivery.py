"""Tests never reach a real mail server. Delivery through a real SMTP conversation (aiosmtpd on
127.0.0.1) is tested with the outbox in tests/notifications/test_smtp_delivery.py."""

import smtplib

import pytest


def test_tests_cannot_reach_a_real_smtp_server(app):
    with pytest.raises(AssertionError, match="real SMTP server"):
        smtplib.SMTP("smtp.example.org", 25)
