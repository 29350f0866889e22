-- Version 3: the working-day calendar, the life of a visit, results, corrections, follow-up
-- and publication. Submitted results, corrections, approvals and events are append-only.

-- 节假日安排 (State Council holiday notices), one per year.
CREATE TABLE holiday_notices (
    year       INTEGER PRIMARY KEY,
    source     TEXT NOT NULL,
    days_off   TEXT NOT NULL,
    workdays   TEXT NOT NULL,
    loaded_seq INTEGER NOT NULL REFERENCES audit_log(seq)
) STRICT;

-- 检查进度: started, completed, published — each an event with its date.
CREATE TABLE visit_events (
    id       INTEGER PRIMARY KEY,
    visit_id INTEGER NOT NULL REFERENCES visits(id),
    kind     TEXT NOT NULL CHECK (kind IN ('start', 'complete', 'publish')),
    day      TEXT NOT NULL,
    seq      INTEGER NOT NULL REFERENCES audit_log(seq),
    UNIQUE (visit_id, kind)
) STRICT;

-- 结果草稿: saved as typed; the only mutable table of this version.
CREATE TABLE result_drafts (
    visit_id   INTEGER PRIMARY KEY REFERENCES visits(id),
    author     TEXT NOT NULL,
    data       TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;

-- 检查结果: submitted once, never changed.
CREATE TABLE results (
    visit_id     INTEGER PRIMARY KEY REFERENCES visits(id),
    data         TEXT NOT NULL,
    submitted_by TEXT NOT NULL,
    submitted_on TEXT NOT NULL,
    due          TEXT NOT NULL,
    late         INTEGER NOT NULL,
    seq          INTEGER NOT NULL REFERENCES audit_log(seq)
) STRICT;

-- 更正: a new version of a result with its reason; takes effect when a principal approves.
CREATE TABLE corrections (
    id       INTEGER PRIMARY KEY,
    visit_id INTEGER NOT NULL REFERENCES results(visit_id),
    data     TEXT NOT NULL,
    reason   TEXT NOT NULL,
    filed_by TEXT NOT NULL,
    seq      INTEGER NOT NULL REFERENCES audit_log(seq)
) STRICT;

CREATE TABLE correction_decisions (
    correction_id INTEGER PRIMARY KEY REFERENCES corrections(id),
    approved      INTEGER NOT NULL,
    decided_by    TEXT NOT NULL,
    note          TEXT NOT NULL,
    seq           INTEGER NOT NULL REFERENCES audit_log(seq)
) STRICT;

-- 后续处理: 责令改正, 立案处罚, 移送其他行政机关, 移送司法机关; status changes are new rows.
CREATE TABLE followups (
    id       INTEGER PRIMARY KEY,
    visit_id INTEGER NOT NULL REFERENCES results(visit_id),
    kind     TEXT NOT NULL,
    case_no  TEXT NOT NULL,
    note     TEXT NOT NULL,
    seq      INTEGER NOT NULL REFERENCES audit_log(seq)
) STRICT;

CREATE TABLE followup_updates (
    id          INTEGER PRIMARY KEY,
    followup_id INTEGER NOT NULL REFERENCES followups(id),
    status      TEXT NOT NULL,
    closed_on   TEXT,
    note        TEXT NOT NULL,
    seq         INTEGER NOT NULL REFERENCES audit_log(seq)
) STRICT;

CREATE TRIGGER visit_events_no_update BEFORE UPDATE ON visit_events BEGIN SELECT RAISE(ABORT, '检查进度记录不能修改'); END;
CREATE TRIGGER visit_events_no_delete BEFORE DELETE ON visit_events BEGIN SELECT RAISE(ABORT, '检查进度记录不能删除'); END;
CREATE TRIGGER results_no_update BEFORE UPDATE ON results BEGIN SELECT RAISE(ABORT, '已提交的检查结果不能修改，请提交更正'); END;
CREATE TRIGGER results_no_delete BEFORE DELETE ON results BEGIN SELECT RAISE(ABORT, '已提交的检查结果不能删除'); END;
CREATE TRIGGER corrections_no_update BEFORE UPDATE ON corrections BEGIN SELECT RAISE(ABORT, '更正记录不能修改'); END;
CREATE TRIGGER corrections_no_delete BEFORE DELETE ON corrections BEGIN SELECT RAISE(ABORT, '更正记录不能删除'); END;
CREATE TRIGGER correction_decisions_no_update BEFORE UPDATE ON correction_decisions BEGIN SELECT RAISE(ABORT, '更正审批不能修改'); END;
CREATE TRIGGER correction_decisions_no_delete BEFORE DELETE ON correction_decisions BEGIN SELECT RAISE(ABORT, '更正审批不能删除'); END;
CREATE TRIGGER followups_no_update BEFORE UPDATE ON followups BEGIN SELECT RAISE(ABORT, '后续处理记录不能修改'); END;
CREATE TRIGGER followups_no_delete BEFORE DELETE ON followups BEGIN SELECT RAISE(ABORT, '后续处理记录不能删除'); END;
CREATE TRIGGER followup_updates_no_update BEFORE UPDATE ON followup_updates BEGIN SELECT RAISE(ABORT, '后续处理记录不能修改'); END;
CREATE TRIGGER followup_updates_no_delete BEFORE DELETE ON followup_updates BEGIN SELECT RAISE(ABORT, '后续处理记录不能删除'); END;
