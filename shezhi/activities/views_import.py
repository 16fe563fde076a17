"""Pages of the import of service records: upload, the check's report, confirmation,
template, through the shared pages of shezhi.importpages. The bureau and town officers
only; anyone else (and anyone looking at another person's import) gets 404."""

from __future__ import annotations

from shezhi.activities.importing import (
    COLUMNS,
    KIND_VALIDATE,
    KIND_WRITE,
    can_import,
    import_begin,
    import_confirm,
    template_notes,
    template_rows,
)
from shezhi.importpages import ImportPages, TemplateFile
from shezhi.registry.importing import ImportRefused

pages = ImportPages(
    namespace="activities",
    templates="activities",
    kind_validate=KIND_VALIDATE,
    kind_write=KIND_WRITE,
    columns=COLUMNS,
    can_import=can_import,
    begin=import_begin,
    confirm=lambda job, request: import_confirm(job=job, by=request.user),
    refused=ImportRefused,
    template_file=lambda user: TemplateFile("志愿服务记录导入模板", "服务记录", template_rows(), template_notes),
)
import_start, import_template, import_detail, import_confirm_view = pages.views()
