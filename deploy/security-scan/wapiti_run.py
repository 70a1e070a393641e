"""Run Debian's wapiti 3.0.4 with two fixes the scan needs, otherwise unchanged.

``/usr/bin/python3 wapiti_run.py <wapiti arguments>`` (the system Python has wapitiCore).

1. ``-x``/``--exclude`` works again. wapiti 3.0.4 turns each pattern into
   ``<pattern>\\Z(?ms)``, which Python 3.11 refuses ("global flags not at the start of
   the expression"), so any ``-x`` crashed the scan. The flags now come first.
2. ``--max-attack-time`` is a real limit. wapiti checks it only between resources, and
   one resource can take many minutes (blindsql sends about 60 payloads to each of a
   form's parameters: the officers' applicant filters have 11). Here every request an
   attack module makes after its time is up raises ``AttackTimeUp``, which ends that
   module cleanly (what it found so far is kept) and the scan goes on to the next.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import time
from importlib import import_module

try:
    from wapitiCore.attack import attack as attacks
    from wapitiCore.main.wapiti import WAPITI_VERSION
    from wapitiCore.net import crawler
except ImportError:  # another wapiti: run it unchanged
    WAPITI_VERSION = ""

if not WAPITI_VERSION.startswith("Wapiti 3.0."):
    # The fixes below are for the 3.0 series (Debian bookworm has 3.0.4); later versions
    # are built differently inside, so they run unchanged.
    wapiti = shutil.which("wapiti")
    if wapiti is None:
        sys.exit("wapiti is not installed")
    os.execv(wapiti, ["wapiti", *sys.argv[1:]])  # noqa: S606 (wapiti itself, same arguments)


def wildcard_translate(pattern: str) -> re.Pattern[str]:
    """``*`` matches anything; everything else literally; the whole URL must match."""
    return re.compile("(?ms)" + ".*".join(re.escape(part) for part in pattern.split("*")) + r"\Z")


crawler.wildcard_translate = wildcard_translate


class AttackTimeUp(Exception):
    """The attack module's time is up; deliberately not a requests exception, so that no
    module mistakes it for a slow answer (blindsql counts timeouts as findings)."""


_deadline: list[float | None] = [None]


def _max_attack_time(argv: list[str]) -> float:
    for index, arg in enumerate(argv):
        if arg == "--max-attack-time" and index + 1 < len(argv):
            return float(argv[index + 1])
        if arg.startswith("--max-attack-time="):
            return float(arg.split("=", 1)[1])
    return 0.0


def _checked(method):  # type: ignore[no-untyped-def]
    def wrapper(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if _deadline[0] is not None and time.monotonic() > _deadline[0]:
            raise AttackTimeUp
        return method(self, *args, **kwargs)

    return wrapper


def _bounded(original, seconds: float):  # type: ignore[no-untyped-def]
    def attack(self):  # type: ignore[no-untyped-def]
        _deadline[0] = time.monotonic() + seconds
        try:
            yield from original(self)
        except AttackTimeUp:
            print(f"Max attack time was reached for module {self.name} mid-resource, stopping.")
        finally:
            _deadline[0] = None

    return attack


def _limit_attacks(seconds: float) -> None:
    for name in ("get", "post", "request"):
        setattr(crawler.Crawler, name, _checked(getattr(crawler.Crawler, name)))
    for module_name in attacks.modules:
        module = import_module("wapitiCore.attack." + module_name)
        cls = getattr(module, module_name)
        cls.attack = _bounded(cls.attack, seconds)


if __name__ == "__main__":
    seconds = _max_attack_time(sys.argv[1:])
    if seconds >= 1:
        _limit_attacks(seconds)
    from wapitiCore.main.wapiti import wapiti_main

    sys.argv[0] = "wapiti"
    sys.exit(wapiti_main())
