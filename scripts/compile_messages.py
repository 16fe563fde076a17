"""Compile locale/*/LC_MESSAGES/*.po to .mo with polib, so no gettext install is needed."""

from pathlib import Path

import polib

root = Path(__file__).resolve().parent.parent / "locale"
for po_path in sorted(root.glob("*/LC_MESSAGES/*.po")):
    polib.pofile(str(po_path)).save_as_mofile(str(po_path.with_suffix(".mo")))
    print(f"compiled {po_path.relative_to(root.parent)}")
