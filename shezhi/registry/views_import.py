"""Pages of the organization import: upload, the check's report, confirmation, template.

The work runs in jobs (shezhi.registry.importing); the shared pages of shezhi.importpages
start and show them. Only the bureau and town officers import; everyone else gets 404, as
does anyone looking at an import someone else started.
"""

from __future__ import annotations

from shezhi.audit.middleware import client_ip
from shezhi.importpages import ImportPages, TemplateFile
from shezhi.registry.importing import (
    COLUMNS,
    KIND_VALIDATE,
    KIND_WRITE,
    ImportRefused,
    ImportScope,
    can_import,
    import_begin,
    import_confirm,
    template_notes,
    template_rows,
)

pages = ImportPages(
    namespace="registry",
    templates="registry",
    kind_validate=KIND_VALIDATE,
    kind_write=KIND_WRITE,
    columns=COLUMNS,
    can_import=can_import,
    begin=import_begin,
    confirm=lambda job, request: import_confirm(
        job=job, by=request.user, ip=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", "")
    ),
    refused=ImportRefused,
    template_file=lambda user: TemplateFile("社会组织导入模板", "社会组织", template_rows(ImportScope(user)), template_notes),
)
import_start, import_template, import_detail, import_confirm_view = pages.views()
