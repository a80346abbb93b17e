"""How projects and applications are named on the pages: the labels of themes, work modes, pay, project
statuses and application statuses (Japanese msgids, translated at display time)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from talentbank.models import ApplicationStatus, ProjectPay, ProjectStatus, ProjectWorkMode, Theme

THEME_LABELS = {
    Theme.AGRICULTURE: _l("農林水産業"),
    Theme.TOURISM: _l("観光"),
    Theme.HEALTHCARE: _l("医療・福祉"),
    Theme.EDUCATION: _l("教育"),
    Theme.DISASTER: _l("防災"),
    Theme.TRANSPORT: _l("交通・物流"),
    Theme.ADMIN_DX: _l("行政DX"),
    Theme.ENERGY: _l("エネルギー・環境"),
    Theme.RETAIL: _l("地域商業・中小企業"),
    Theme.OTHER: _l("その他"),
}
WORK_MODE_LABELS = {
    ProjectWorkMode.REMOTE: _l("リモート"),
    ProjectWorkMode.ONSITE: _l("現地"),
    ProjectWorkMode.HYBRID: _l("ハイブリッド"),
}
PAY_LABELS = {
    ProjectPay.HOURLY: _l("時給"),
    ProjectPay.FIXED: _l("固定額（プロジェクト全体）"),
    ProjectPay.VOLUNTEER: _l("ボランティア（無償）"),
    ProjectPay.INTERNSHIP: _l("インターンシップ（手当）"),
}
STATUS_LABELS = {
    ProjectStatus.DRAFT: _l("下書き"),
    ProjectStatus.OPEN: _l("募集中"),
    ProjectStatus.CLOSED: _l("募集終了"),
    ProjectStatus.IN_PROGRESS: _l("進行中"),
    ProjectStatus.COMPLETED: _l("完了"),
    ProjectStatus.CANCELLED: _l("中止"),
}
APPLICATION_LABELS = {
    ApplicationStatus.PENDING: _l("返事待ち"),
    ApplicationStatus.ACCEPTED: _l("承諾"),
    ApplicationStatus.DECLINED: _l("辞退"),
    ApplicationStatus.WITHDRAWN: _l("取り下げ"),
    ApplicationStatus.COMPLETED: _l("完了"),
    ApplicationStatus.CLOSED: _l("終了（返事の前にプロジェクトが中止・完了）"),
}
