"""Demo data for translations: the open demo statement in French, with a name in French.

The lead translates it (no translator named), so the Translations tab, the partner page's
language switcher and the French signatory list have something to show.
"""

from __future__ import annotations

from sqlalchemy import select

from coalition.drafting import services as drafting
from coalition.extensions import db
from coalition.models import Signature, SignatureName, User, utcnow
from coalition.publishing.demo import OPEN_TITLE
from coalition.translations import services as translations

TITLE_FR = "Maintenir les médias indépendants à l'antenne"
BODY_FR = """Nous, soussignés, appelons l'autorité de l'audiovisuel à renouveler la licence \
de chaque radio indépendante dont la licence expire cette année ou l'année prochaine.

Les stations indépendantes sont la seule source d'information locale pour des millions \
d'auditeurs.
"""
# A signatory known in French under another name than its own (Cyrillic) one.
NAMES_FR = {"Свободное радио": "Radio libre (Lettonie)"}


def load_translations_demo(user: User) -> list[str]:
    """Translate the open demo statement into French unless it is already; lines to print."""
    statement = next(
        (s for s in drafting.organisation_statements(user) if s.title == OPEN_TITLE), None
    )
    if statement is None or translations.find(statement, "fr") is not None:
        return []
    made = translations.add_translation(user, statement, "fr")
    translations.save_revision(
        user,
        made,
        title=TITLE_FR,
        body=BODY_FR,
        base_revision=0,
        source_revision=statement.current_revision,
        note="Traduction relue par le bureau de Paris",
    )
    for name, french in NAMES_FR.items():
        signature = db.session.scalar(
            select(Signature).where(
                Signature.statement_id == statement.id,
                Signature.live,
                Signature.name == name,
            )
        )
        if signature is not None:
            db.session.add(
                SignatureName(
                    signature_id=signature.id, language="fr", name=french, created_at=utcnow()
                )
            )
    db.session.flush()
    return [
        "French translation of the open demo statement: "
        f"/statements/{statement.id}/translations"
    ]
