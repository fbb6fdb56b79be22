"""Typed settings, read once at the entry point and handed down.

Environment variables use the prefix ``RPA_`` and ``__`` for nesting
(``RPA_GUIDEWIRE__PASSWORD``); a ``.env`` file in the working directory is read too.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from pydantic import (
    AliasChoices,
    BaseModel,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError

from rpa.core.errors import UsageError
from rpa.core.text import same

# The shortest password the bot accepts: shorter ones cannot be masked without eating words.
MIN_SECRET = 4
# What a setting of each kind should look like, for the one line a mistake gets.
_EXPECTED = {
    "int_parsing": "un nombre entier", "int_type": "un nombre entier", "int_from_float": "un nombre entier",
    "float_parsing": "un nombre", "float_type": "un nombre", "bool_parsing": "true ou false",
    "bool_type": "true ou false", "json_invalid": "du JSON valide", "json_type": "du JSON valide",
    "dict_type": "un objet JSON {…}", "list_type": "une liste JSON […]", "time_parsing": "une heure HH:MM",
    "time_type": "une heure HH:MM", "string_type": "du texte", "path_type": "un chemin de fichier",
    "enum": "une de ces valeurs : {expected}", "greater_than_equal": "au moins {ge}",
    "less_than_equal": "au plus {le}", "greater_than": "plus de {gt}", "less_than": "moins de {lt}",
    "literal_error": "une de ces valeurs : {expected}",
}
_HIDDEN = ("password", "ledger_url")


def read_settings() -> Settings:
    """The settings from the environment and `.env`; a mistake is refused in one line per
    problem that names the variable and what it expects (never the value of a secret)."""
    try:
        return Settings()
    except ValidationError as err:
        raise UsageError("Configuration invalide : " + " ; ".join(_problem(e) for e in err.errors())) from None
    except SettingsError as err:  # a value pydantic-settings could not even decode (bad JSON)
        raise UsageError(f"Configuration invalide : {_undecodable(str(err))}") from None


def _undecodable(said: str) -> str:
    """Which variable holds JSON that does not parse (pydantic-settings names only the field)."""
    field = re.search(r'field "(\w+)"', said)
    prefix = f"RPA_{field.group(1).upper()}" if field else "RPA_"
    bad = []
    for name, value in sorted(os.environ.items()):
        if name.upper().startswith(prefix) and value.strip()[:1] in "[{":
            try:
                json.loads(value)
            except ValueError:
                bad.append(name.upper())
    return " ; ".join(f"{name} : du JSON valide attendu" for name in bad) or f"{prefix}… : valeur illisible"


def _problem(error: Any) -> str:
    loc = [str(p) for p in error.get("loc", ())]
    kind = str(error.get("type", ""))
    if not loc:  # a check of the settings as a whole: its message names the variable
        return str(error.get("msg", "")).removeprefix("Value error, ")
    variable = "RPA_" + "__".join(p.upper() for p in loc)
    expected = _EXPECTED.get(kind)
    said = expected.format(**error.get("ctx", {})) if expected else str(error.get("msg", ""))
    shown = "" if any(h in variable.lower() for h in _HIDDEN) else f" (reçu « {str(error.get('input', ''))[:60]} »)"
    return f"{variable} : {said} attendu{shown}" if expected else f"{variable} : {said}{shown}"


class TracePolicy(StrEnum):
    """`RPA_TRACE`: which vehicles keep their trace."""

    ON_FAILURE = "on-failure"
    ALWAYS = "always"
    OFF = "off"


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "rpa"


class PortalSettings(BaseModel):
    """Where a portal lives (its login page) and whom to sign in as."""

    url: str | None = None
    username: str = ""
    password: SecretStr = SecretStr("")

    @field_validator("url")
    @classmethod
    def _trailing_slash_free(cls, value: str | None) -> str | None:
        return value.strip() if value else None


class PlanetVoSettings(PortalSettings):
    # The option picked in `Information garantisseur`, verbatim from PORTALS.md.
    garantisseur: str = "Déclaration SPOTICAR (stellantis)"


class ReseauxConnectSettings(BaseModel):
    """reseauxconnect is reached only through the Planet VO popup, so it has no URL."""

    # Rows of the Profil page to tick on the first declaration; never guessed.
    garantisseurs: list[str] = Field(default_factory=lambda: ["Garantie Stellantis Assurance"])
    # Optional credentials typed into the `Information garantisseur` dialog.
    username: str = ""
    password: SecretStr = SecretStr("")


class GuideWireAccount(BaseModel):
    """A point of sale's own PSA credentials at GuideWire."""

    username: str
    password: SecretStr


class GuideWireSettings(PortalSettings):
    # "<Garantie>|<Durée>" as shown on the declaration form -> GuideWire offer name.
    offers: dict[str, str] = Field(default_factory=dict)
    # A dealer group: one PSA account per point of sale, by the Planet VO site's `Code`,
    # `Libellé` or Code RRD1 (RPA_GUIDEWIRE__ACCOUNTS='{"PE64": {"username": …, "password": …}}').
    # Unset, the one account of RPA_GUIDEWIRE__USERNAME / __PASSWORD serves every site.
    accounts: dict[str, GuideWireAccount] = Field(default_factory=dict)

    @property
    def by_site(self) -> bool:
        """Policies are bought, searched and filed per point of sale."""
        return bool(self.accounts)

    def account_names(self) -> list[str]:
        """Every account the bot may sign in with ("" is the single account)."""
        return list(self.accounts) or [""]

    def account_for(self, *site: str) -> str | None:
        """The account of a site named by any of its code, libellé or Code RRD1 ("" when one
        account serves every site); None when the group has no account for it."""
        if not self.accounts:
            return ""
        return next((name for name in self.accounts for s in site if s and same(name, s)), None)

    def sign_in(self, account: str) -> PortalSettings:
        """Where and as whom to sign in for `account`."""
        if not account:
            return self
        chosen = self.accounts[account]
        return PortalSettings(url=self.url, username=chosen.username, password=chosen.password)

    def offer_for(self, garantie: str, duree: str) -> str | None:
        for key, offer in self.offers.items():
            if same(key, f"{garantie}|{duree}"):
                return offer
        return None


class TraqueurSettings(PortalSettings):
    """Traqueur Extranet PRO: one account, a requester's or a storage centre's."""

    # The extranet signs in by e-mail address: RPA_TRAQUEUR__EMAIL.
    username: str = Field(default="", validation_alias=AliasChoices("email", "username"))

    @property
    def email(self) -> str:
        return self.username


class NightlySettings(BaseModel):
    # No vehicle is started after this time of day (RPA_NIGHTLY__DEADLINE=05:30).
    deadline: dt.time | None = None
    # Run folders older than this are deleted at the start of each nightly run.
    retention_days: int = 30


class RetrySettings(BaseModel):
    attempts: int = 3
    wait_initial_s: float = 1.0
    wait_max_s: float = 20.0
    # How long to keep looking for a policy PDF after purchase before giving up on it.
    document_wait_s: float = 180.0
    # RPA_RETRY__PORTAL_DOWN_AFTER: this many items in a row ending in a system failure on
    # one portal stop the run (the rest deferred): a portal that is down costs one budget, not
    # one per item.
    portal_down_after: int = Field(default=3, ge=1)


class NotifySettings(BaseModel):
    """Where the end-of-run summary goes (RPA_NOTIFY__WEBHOOK_URL, RPA_NOTIFY__SMTP_HOST…)."""

    webhook_url: str | None = None
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_starttls: bool = False
    smtp_username: str = ""
    smtp_password: SecretStr = SecretStr("")
    email_from: str = "rpa@localhost"
    email_to: list[str] = Field(default_factory=list)
    retry: RetrySettings = Field(default_factory=lambda: RetrySettings(attempts=3))


class Role(StrEnum):
    """What an account of `rpa serve` may do."""

    READER = "lecture"  # sees runs, vehicles, traces
    OPERATOR = "operateur"  # and reruns a vehicle, starts a night


class ServeUser(BaseModel):
    """An account of `rpa serve`: only a hash of its password is kept (`rpa serve add-user`)."""

    role: Role = Role.READER
    password_hash: str


class ServeSettings(BaseModel):
    """`rpa serve`, the web console (RPA_SERVE__HOST, RPA_SERVE__PORT…)."""

    host: str = "127.0.0.1"
    port: int = Field(default=8700, ge=0, le=65535)
    # RPA_SERVE__USERS: accounts as JSON {"name": {"role": "lecture", "password_hash": "scrypt$…"}};
    # `rpa serve add-user NAME` writes them to <data dir>/serve/users.json instead.
    users: dict[str, ServeUser] = Field(default_factory=dict)
    session_hours: float = Field(default=12.0, gt=0)
    # HTTPS, for a console reached beyond this machine (the trace viewer needs it there).
    certfile: Path | None = None
    keyfile: Path | None = None


# Debian's package `chromium-headless-shell` (its /usr/bin entry is a wrapper script).
HEADLESS_SHELL = "/usr/lib/chromium/chromium-headless-shell"


class BrowserSettings(BaseModel):
    executable_path: Path | None = None
    headless: bool = True
    # How long a user would wait for a screen before calling it broken.
    timeout_ms: int = 15_000
    # RPA_BROWSER__DISMISS: overlays the bot closes whenever they show, as a person would:
    # dialog title -> the button to click. Nothing else is ever dismissed: an unknown dialog
    # in the way is a failure, with its screenshot.
    dismiss: dict[str, str] = Field(default_factory=lambda: {"Gestion des cookies": "Tout refuser"})
    # Images and web fonts: not needed to read a screen, so not fetched (true: the portals'
    # pages as a person sees them, in screenshots and traces too).
    decoration: bool = False
    # Long nights: a worker's context is replaced after this many vehicles, the browser
    # after this many; the portal cookies carry the sessions over, so nobody signs in again
    # for it. Measured: a context's renderer grows by 20-30 MB a vehicle (native memory, not
    # the pages' own: they are collected) and gives it all back when its context closes; a
    # new context costs one portal home page per tab.
    recycle_context_after: int = Field(default=3, ge=1)
    recycle_browser_after: int = Field(default=200, ge=1)

    def resolved_executable(self) -> str | None:
        """The configured Chromium, else Debian's, else Playwright's own build.

        Headless, Debian's `chromium-headless-shell` comes first: the same engine without the
        browser's UI and display compositor, measured at about a quarter less CPU and 150 MB
        less memory per run (benchmarks/). Its binary is taken rather than the /usr/bin shell
        script, which would stay between Playwright and the browser."""
        if self.executable_path:
            return str(self.executable_path)
        if self.headless:
            if Path(HEADLESS_SHELL).is_file():
                return HEADLESS_SHELL
            if found := shutil.which("chromium-headless-shell"):
                return found
        for candidate in ("chromium", "chromium-browser"):
            if found := shutil.which(candidate):
                return found
        return None


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="RPA_",
        env_nested_delimiter="__",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    planetvo: PlanetVoSettings = Field(default_factory=PlanetVoSettings)
    reseauxconnect: ReseauxConnectSettings = Field(default_factory=ReseauxConnectSettings)
    guidewire: GuideWireSettings = Field(default_factory=GuideWireSettings)
    traqueur: TraqueurSettings = Field(default_factory=TraqueurSettings)
    nightly: NightlySettings = Field(default_factory=NightlySettings)
    notify: NotifySettings = Field(default_factory=NotifySettings)
    browser: BrowserSettings = Field(default_factory=BrowserSettings)
    retry: RetrySettings = Field(default_factory=RetrySettings)
    serve: ServeSettings = Field(default_factory=ServeSettings)
    # RPA_TRACE: keep each vehicle's Playwright trace on failure (default), always, or never.
    trace: TracePolicy = TracePolicy.ON_FAILURE
    # RPA_WORKERS: vehicles worked on at once, each worker with its own browser and sessions.
    workers: int = Field(default=1, ge=1, le=16)
    data_dir: Path = Field(default_factory=_default_data_dir)
    # RPA_LEDGER_URL: a `postgresql://…` ledger shared by several machines working one queue;
    # unset, the ledger is a SQLite file in the data folder. Secret: it may hold a password.
    ledger_url: SecretStr | None = None

    @model_validator(mode="after")
    def _secrets_long_enough(self) -> Settings:
        """A password is masked wherever it stands as a value (logs, traces, reports); one of
        a few characters cannot be told from ordinary text, so it is refused here."""
        for variable, secret in self.secrets().items():
            if 0 < len(secret) < MIN_SECRET:
                raise ValueError(f"{variable} : mot de passe trop court pour être masqué sans risque "
                                 f"dans les journaux ({MIN_SECRET} caractères au moins)")
        return self

    def secret_values(self) -> list[str]:
        """The secrets that are set: what logs, traces and recordings mask."""
        return [v for v in self.secrets().values() if v]

    def secrets(self) -> dict[str, str]:
        """Every secret of the settings, by the variable that sets it."""
        return {
            "RPA_PLANETVO__PASSWORD": self.planetvo.password.get_secret_value(),
            "RPA_GUIDEWIRE__PASSWORD": self.guidewire.password.get_secret_value(),
            **{f"RPA_GUIDEWIRE__ACCOUNTS[{name}].password": account.password.get_secret_value()
               for name, account in self.guidewire.accounts.items()},
            "RPA_RESEAUXCONNECT__PASSWORD": self.reseauxconnect.password.get_secret_value(),
            "RPA_TRAQUEUR__PASSWORD": self.traqueur.password.get_secret_value(),
            "RPA_NOTIFY__SMTP_PASSWORD": self.notify.smtp_password.get_secret_value(),
            "RPA_LEDGER_URL": self.ledger_password,
        }

    @property
    def policies_dir(self) -> Path:
        return self.data_dir / "policies"

    def policy_folder(self, account: str) -> Path:
        """Where a policy bought under `account` is filed: one folder per point of sale when
        the group has several accounts."""
        return self.policies_dir / account if account else self.policies_dir

    @property
    def ledger_path(self) -> Path:
        return self.data_dir / "ledger.sqlite3"

    @property
    def ledger_location(self) -> Path | str:
        """What `Ledger` opens: the shared server when one is configured, else the local file."""
        if self.ledger_url is not None and self.ledger_url.get_secret_value():
            return self.ledger_url.get_secret_value()
        return self.ledger_path

    @property
    def ledger_password(self) -> str:
        """The password inside RPA_LEDGER_URL, if any: masked wherever passwords are."""
        if self.ledger_url is None:
            return ""
        return unquote(urlsplit(self.ledger_url.get_secret_value()).password or "")

    @property
    def runs_dir(self) -> Path:
        return self.data_dir / "runs"

    @property
    def sessions_dir(self) -> Path:
        """The workers' portal cookies, kept between runs (`rpa/browser/slots.py`)."""
        return self.data_dir / "sessions"

    def require_traqueur(self) -> None:
        if not self.traqueur.url:
            raise UsageError(
                "Aucune adresse configurée pour l'extranet Traqueur (RPA_TRAQUEUR__URL). "
                "Le bac à sable en fournit une : `rpa sandbox`."
            )
        if not self.traqueur.username or not self.traqueur.password.get_secret_value():
            raise UsageError("Identifiants manquants : RPA_TRAQUEUR__EMAIL et RPA_TRAQUEUR__PASSWORD.")

    def require_warranty_portals(self) -> None:
        """Refuse to start a warranty run that could only fail, and say what is missing."""
        missing = []
        if not self.planetvo.url:
            missing.append("RPA_PLANETVO__URL")
        if not self.guidewire.url:
            missing.append("RPA_GUIDEWIRE__URL")
        if missing:
            raise UsageError(
                "Aucune adresse de portail configurée ("
                + ", ".join(missing)
                + "). Renseignez-les dans l'environnement ou dans .env, "
                "ou essayez le bac à sable avec `rpa demo`."
            )
        portals = [("PLANETVO", self.planetvo)] + ([] if self.guidewire.by_site else [("GUIDEWIRE", self.guidewire)])
        for name, portal in portals:
            if not portal.username or not portal.password.get_secret_value():
                raise UsageError(
                    f"Identifiants manquants : RPA_{name}__USERNAME et RPA_{name}__PASSWORD."
                )
        for site, account in self.guidewire.accounts.items():
            if not account.username or not account.password.get_secret_value():
                raise UsageError(f"RPA_GUIDEWIRE__ACCOUNTS : identifiants incomplets pour le point de vente {site}.")
        if not self.guidewire.offers:
            raise UsageError(
                "RPA_GUIDEWIRE__OFFERS est vide : sans correspondance Garantie|Durée -> offre, "
                "aucune police ne peut être achetée (le bot ne devine jamais)."
            )
