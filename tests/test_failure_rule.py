"""The failure rule over a table of messages: refusals, trouble, sessions that ended, notices,
successes and words nobody wrote down (rpa/core/failures.py), and the person's rule for the last:
the same words after a fresh start are the portal's refusal (rpa/core/retry.py)."""

from __future__ import annotations

import pytest

from rpa.config import RetrySettings
from rpa.core.errors import (
    BusinessError,
    PortalRefusal,
    PortalUnavailable,
    SessionExpired,
    UnconfirmedMessage,
)
from rpa.core.failures import Kind, Reading, classify, read_message, read_messages, said
from rpa.core.retry import retrying

MESSAGES = [
    # PORTALS.md's refusals, and credentials refused
    ("Le champ type véhicule est obligatoire", Reading.REFUSAL),
    ("Le champ adresse est obligatoire\nLe champ code postal est obligatoire", Reading.REFUSAL),
    ("Ce devis a expiré", Reading.REFUSAL),
    ("Ce véhicule a déjà été déclaré (numéro devis : 0001006185)", Reading.REFUSAL),
    ("Rejetée : VIN inconnu pour ce compte", Reading.REFUSAL),
    ("Identifiant ou mot de passe incorrect", Reading.REFUSAL),
    ("Nom d'utilisateur ou mot de passe incorrect", Reading.REFUSAL),
    ("Adresse email ou mot de passe incorrect", Reading.REFUSAL),
    ("Votre compte est verrouillé suite à trop de tentatives.", Reading.REFUSAL),
    ("Votre mot de passe a expiré : veuillez le renouveler.", Reading.REFUSAL),
    ("Date de livraison : format attendu JJ/MM/AAAA", Reading.REFUSAL),
    ("Le bon de commande doit être clôturé avant de garantir le véhicule", Reading.REFUSAL),
    ("Code RRD1 SPOTICAR manquant pour le site CHARTRES", Reading.REFUSAL),
    ("Le fichier doit avoir pour première ligne les colonnes : Vin, N° Abonnement, …", Reading.REFUSAL),
    ("Le numéro de boîtier doit comporter 7 chiffres", Reading.REFUSAL),
    ("Action impossible : la demande est Annulée", Reading.REFUSAL),
    ("Opération non permise pour ce profil", Reading.REFUSAL),
    ("Aucune ligne valide : aucune demande n'a été enregistrée", Reading.REFUSAL),
    ("Le fichier doit avoir les colonnes attendues : Vin | N° Abonnement | …", Reading.REFUSAL),
    # the portal's trouble, in the ways real portals say it
    ("Erreur technique (500). Veuillez réessayer.", Reading.TROUBLE),
    ("Erreur technique. Veuillez réessayer.", Reading.TROUBLE),
    ("Service momentanément indisponible", Reading.TROUBLE),
    ("Service momentanément indisponible (HTTP 503)", Reading.TROUBLE),
    ("Une erreur inattendue est survenue (code 500). Veuillez réessayer ultérieurement.", Reading.TROUBLE),
    ("Le serveur distant est injoignable pour le moment.", Reading.TROUBLE),
    ("Impossible de joindre le serveur de tarification", Reading.TROUBLE),
    ("502 Bad Gateway", Reading.TROUBLE),
    ("Internal Server Error", Reading.TROUBLE),
    ("HTTP ERROR 504", Reading.TROUBLE),
    ("net::ERR_CONNECTION_REFUSED", Reading.TROUBLE),
    ("Délai d'attente dépassé", Reading.TROUBLE),
    ("Le service est en maintenance, merci de réessayer plus tard.", Reading.TROUBLE),
    # a session that ended
    ("Votre session a expiré. Veuillez vous reconnecter.", Reading.SESSION),
    ("Session expirée", Reading.SESSION),
    ("Vous avez été déconnecté.", Reading.SESSION),
    # information: not an answer that stops anything
    ("Maintenance programmée samedi de 22h à 23h : le service sera momentanément indisponible "
     "pendant cette plage.", Reading.INFO),
    ("Gestion des cookies", Reading.INFO),
    ("Votre brouillon a été sauvegardé avec succès.", Reading.INFO),
    ("[Centralisateur] La sauvegarde dans le centralisateur a été effectuée avec succès", Reading.INFO),
    ("Votre demande a bien été enregistrée", Reading.INFO),
    # words nobody wrote down: retried, real if they last
    ("Aucun produit disponible pour cette garantie", Reading.UNKNOWN),
    ("Veuillez accéder au Centralisateur depuis votre DMS (Planet VO).", Reading.UNKNOWN),
    ("Traitement de la demande en attente de validation", Reading.UNKNOWN),
]


@pytest.mark.parametrize(("text", "reading"), MESSAGES, ids=[m[0][:40] for m in MESSAGES])
def test_a_message_is_read_by_its_words(text: str, reading: Reading) -> None:
    assert read_message(text) is reading


def test_a_notice_glued_to_a_real_error_does_not_hide_it() -> None:
    notice = "Maintenance programmée samedi de 22h à 23h : le service sera momentanément indisponible."
    assert read_message(f"{notice} Erreur technique. Veuillez réessayer.") is Reading.TROUBLE
    assert read_message(f"{notice}\nLe champ ville est obligatoire") is Reading.REFUSAL


def test_shown_together_the_most_telling_reading_wins() -> None:
    assert read_messages(["Le champ ville est obligatoire", "Erreur technique (500)."]) is Reading.TROUBLE
    assert read_messages(["Votre brouillon a été sauvegardé avec succès.", "Ce devis a expiré"]) is Reading.REFUSAL
    assert read_messages(["Votre session a expiré.", "Erreur technique"]) is Reading.SESSION
    assert read_messages([]) is Reading.INFO


def test_several_messages_are_said_once_each_in_the_portals_words() -> None:
    assert said(["Le champ adresse est obligatoire\nLe champ ville est obligatoire",
                 "Le champ ville est obligatoire"]) == "Le champ adresse est obligatoire ; Le champ ville est obligatoire"


@pytest.mark.parametrize(("error", "kind"), [
    (BusinessError("Code RRD1 SPOTICAR manquant pour le site CHARTRES"), Kind.BUSINESS),
    (PortalRefusal("Ce devis a expiré"), Kind.BUSINESS),
    (PortalUnavailable("Erreur technique"), Kind.SYSTEM),
    (SessionExpired("la session a expiré"), Kind.SYSTEM),
    (UnconfirmedMessage("message inattendu", text="Opération non permise"), Kind.SYSTEM),
    (NotImplementedError("a bug of the bot's own"), Kind.SYSTEM),
    (KeyError("NUMÉRO"), Kind.SYSTEM),
])
def test_the_boundary_records_business_only_for_rules_and_recognised_refusals(error: Exception, kind: Kind) -> None:
    failure = classify(error)
    assert failure.kind is kind
    assert failure.message


def test_a_bug_is_recorded_with_its_type() -> None:
    assert classify(NotImplementedError("landmark")).message == "NotImplementedError: landmark"


FAST = RetrySettings(attempts=4, wait_initial_s=0.0, wait_max_s=0.0)


def test_unknown_words_that_come_back_the_same_after_a_fresh_start_are_a_refusal() -> None:
    tries: list[int] = []

    def step() -> None:
        tries.append(1)
        raise UnconfirmedMessage("Déclarer : message inattendu", text="Opération  non permise pour ce profil")

    with pytest.raises(PortalRefusal) as refused:
        retrying(FAST, "déclaration", step)
    assert len(tries) == 2  # tried again once, from a fresh start: it said the same
    assert refused.value.message == "Opération  non permise pour ce profil"


def test_unknown_words_that_change_are_trouble_and_retried_until_the_step_works() -> None:
    answers = iter([UnconfirmedMessage("x", text="Traitement en cours"),
                    UnconfirmedMessage("x", text="Veuillez patienter"), None])

    def step() -> str:
        failure = next(answers)
        if failure is not None:
            raise failure
        return "fait"

    assert retrying(FAST, "achat", step) == "fait"


def test_a_recognised_refusal_is_never_retried() -> None:
    tries: list[int] = []

    def step() -> None:
        tries.append(1)
        raise PortalRefusal("Ce devis a expiré")

    with pytest.raises(PortalRefusal):
        retrying(FAST, "achat", step)
    assert len(tries) == 1
