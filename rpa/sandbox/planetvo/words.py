"""Planet VO's own words (PORTALS.md §1), verbatim since they are what the bot reads: the menu,
the BDC list's columns and filters, the choices its forms offer and the fields they show."""

from __future__ import annotations

MENU: list[tuple[str, str]] = [
    ("Accueil", "/accueil"),
    ("Sourcing : Bourse VO", "/menu/bourse-vo"),
    ("Estimations de reprise", "/menu/estimations-de-reprise"),
    ("Gestion Véhicules", "/vehicules"),
    ("Gestion Stock", "/menu/gestion-stock"),
    ("Remarketing", "/menu/remarketing"),
    ("Recherche avancée", "/menu/recherche-avancee"),
    ("Impression", "/menu/impression"),
    ("Scan VO", "/menu/scan-vo"),
    ("Scan", "/menu/scan"),
    ("Cotation", "/menu/cotation"),
    ("Cotation rapide", "/menu/cotation-rapide"),
    ("Import", "/menu/import"),
    ("Export", "/menu/export"),
    ("Photos", "/menu/photos"),
    ("Lots", "/menu/lots"),
    ("Bon de commande", "/bdc"),
    ("Envoyer / Recevoir", "/menu/envoyer-recevoir"),
    ("Paramétrage", "/parametrage"),
    ("Conversion", "/menu/conversion"),
    ("Solutions Argus", "/menu/solutions-argus"),
]
PLACEHOLDERS = {href.rsplit("/", 1)[1]: name for name, href in MENU if href.startswith("/menu/")}

BDC_COLUMNS = [
    "N°", "Statut", "Type", "Date de création", "Date de modification", "Acheteur", "Vendeur",
    "Vo Vendu", "Modèle", "Origine Vo Vendu", "Vo Repris", "Prix négocié", "Site VO Vendu",
    "Organisme de Financement",
]
# Search form: (label, query parameter, Bdc attribute) -- `statut` is a select, handled apart.
BDC_TEXT_FILTERS = [
    ("N°", "numero", "numero"),
    ("Acheteur", "acheteur", "nom"),
    ("vo repris", "vo_repris", "vo_repris"),
    ("vo vendu", "vo_vendu", "vo_vendu"),
    ("Vendeur", "vendeur", "vendeur"),
    ("Type", "type", "type"),
    ("Organisme de financement", "organisme", "organisme_financement"),
]
BDC_PARAMS = ["numero", "statut", "acheteur", "vo_repris", "vo_vendu", "vendeur", "type", "organisme"]
PAGE_SIZE = 25

GARANTIES = [
    "Spoticar Essential 12 mois",
    "Spoticar Premium 12 mois",
    "Spoticar Premium 24 mois",
    "Spoticar Advanced 36 mois",
    "DS Certified 12 mois",
    "DS Certified 24 mois",
    "Garantie constructeur",
    "Garantie Opteven 12 mois",
]
CIVILITES = ["Monsieur", "Madame", "Mademoiselle"]
CIVILITE_ABBR = {"Monsieur": "M.", "Madame": "Mme", "Mademoiselle": "Melle"}

GARANTISSEURS = [
    "Déclaration SPOTICAR (stellantis)",
    "Déclaration DS CERTIFIED (stellantis)",
    "Opteven",
    "Icare",
]
STELLANTIS_GARANTISSEURS = GARANTISSEURS[:2]

SITE_FIELDS: list[tuple[str, str]] = [  # (label, Site attribute), in the dialog's order
    ("Code RRD1", "rrd1"),
    ("Code BIC Argus", "code_bic_argus"),
    ("Code", "code"),
    ("Libellé", "libelle"),
    ("Raison sociale", "raison_sociale"),
    ("Adresse", "adresse"),
    ("Code postal", "code_postal"),
    ("Ville", "ville"),
    ("Pays", "pays"),
    ("Téléphone 1", "telephone"),
    ("Frais fixes", "frais_fixes"),
    ("Frais fixes marchand", "frais_fixes_marchand"),
    ("Code DMS", "code_dms"),
    ("Code Constructeur", "code_constructeur"),
    ("Marques représentées", "marques"),
]

# BDC form fields the user may edit and `Enregistrer` saves: form name -> Bdc attribute.
BDC_EDITABLE = [
    "garantie", "organisme_financement", "civilite", "nom", "prenom", "adresse", "code_postal",
    "ville", "complement", "email", "telephone", "date_livraison", "lieu_livraison",
]
