-- Schema v6: publication by the team (谁检查、谁录入、谁公示) and the written notice of plan
-- changes to the 领导小组办公室 (书面报送). Every table is append-only.
--
-- publication_marks: a member of a visit's team (or a lead, the principal) marks its entered
-- result for the next publicity export. The visit stays 已录入 until that export publishes it.
--
-- plan_notices: each written notice of a year's plan changes, numbered per year (2026-1,
-- 2026-2 …), with the changes it covers (plan_notice_changes) and, once, the day it was sent
-- (plan_notice_sent).

CREATE TABLE publication_marks (
    visit_id  INTEGER PRIMARY KEY REFERENCES results(visit_id),
    marked_by TEXT NOT NULL,
    day       TEXT NOT NULL,
    seq       INTEGER NOT NULL REFERENCES audit_log(seq)
) STRICT;

CREATE TABLE plan_notices (
    id         TEXT PRIMARY KEY,
    year       INTEGER NOT NULL,
    number     INTEGER NOT NULL,
    written_on TEXT NOT NULL,
    written_by TEXT NOT NULL,
    file       TEXT NOT NULL,
    sha256     TEXT NOT NULL,
    seq        INTEGER NOT NULL REFERENCES audit_log(seq),
    UNIQUE (year, number)
) STRICT;

CREATE TABLE plan_notice_changes (
    notice_id TEXT NOT NULL REFERENCES plan_notices(id),
    change_id INTEGER NOT NULL REFERENCES plan_changes(id),
    PRIMARY KEY (notice_id, change_id)
) STRICT;

CREATE TABLE plan_notice_sent (
    notice_id   TEXT PRIMARY KEY REFERENCES plan_notices(id),
    sent_on     TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    seq         INTEGER NOT NULL REFERENCES audit_log(seq)
) STRICT;

CREATE TRIGGER publication_marks_no_update BEFORE UPDATE ON publication_marks BEGIN SELECT RAISE(ABORT, '公示标记不能修改'); END;
CREATE TRIGGER publication_marks_no_delete BEFORE DELETE ON publication_marks BEGIN SELECT RAISE(ABORT, '公示标记不能删除'); END;
CREATE TRIGGER publication_marks_no_replace BEFORE INSERT ON publication_marks
    WHEN EXISTS (SELECT 1 FROM publication_marks o WHERE o.visit_id = NEW.visit_id)
    BEGIN SELECT RAISE(ABORT, '公示标记不能改写'); END;
CREATE TRIGGER plan_notices_no_update BEFORE UPDATE ON plan_notices BEGIN SELECT RAISE(ABORT, '计划调整报送件不能修改'); END;
CREATE TRIGGER plan_notices_no_delete BEFORE DELETE ON plan_notices BEGIN SELECT RAISE(ABORT, '计划调整报送件不能删除'); END;
CREATE TRIGGER plan_notices_no_replace BEFORE INSERT ON plan_notices
    WHEN EXISTS (SELECT 1 FROM plan_notices o WHERE o.id = NEW.id OR (o.year = NEW.year AND o.number = NEW.number))
    BEGIN SELECT RAISE(ABORT, '计划调整报送件不能改写'); END;
CREATE TRIGGER plan_notice_changes_no_update BEFORE UPDATE ON plan_notice_changes BEGIN SELECT RAISE(ABORT, '计划调整报送件不能修改'); END;
CREATE TRIGGER plan_notice_changes_no_delete BEFORE DELETE ON plan_notice_changes BEGIN SELECT RAISE(ABORT, '计划调整报送件不能删除'); END;
CREATE TRIGGER plan_notice_changes_no_replace BEFORE INSERT ON plan_notice_changes
    WHEN EXISTS (SELECT 1 FROM plan_notice_changes o WHERE o.notice_id = NEW.notice_id AND o.change_id = NEW.change_id)
    BEGIN SELECT RAISE(ABORT, '计划调整报送件不能改写'); END;
CREATE TRIGGER plan_notice_sent_no_update BEFORE UPDATE ON plan_notice_sent BEGIN SELECT RAISE(ABORT, '报送记录不能修改'); END;
CREATE TRIGGER plan_notice_sent_no_delete BEFORE DELETE ON plan_notice_sent BEGIN SELECT RAISE(ABORT, '报送记录不能删除'); END;
CREATE TRIGGER plan_notice_sent_no_replace BEFORE INSERT ON plan_notice_sent
    WHEN EXISTS (SELECT 1 FROM plan_notice_sent o WHERE o.notice_id = NEW.notice_id)
    BEGIN SELECT RAISE(ABORT, '报送记录不能改写'); END;
