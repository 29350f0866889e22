-- Schema v5: draw record format v2 (docs/draw.md).
--
-- draw_private: per v2 draw, the private part of its preparation (officers' declared conflicts,
-- why officers may not be sent, the entities' previous teams: prepared.private_sha256 binds it)
-- and the system's seed part, drawn at preparation and revealed at the run
-- (prepared.system_part_sha256 binds it), so that a rollback and re-run with the same dice
-- draws the same list. Written once at preparation, never changed.
--
-- visits.note: a mark the rules put on a visit when it is drawn ("超出年度抽查上限（全覆盖任务）").

CREATE TABLE draw_private (
    draw_id     TEXT PRIMARY KEY REFERENCES draws(id),
    private     TEXT NOT NULL,
    system_part TEXT NOT NULL
) STRICT;
CREATE TRIGGER draw_private_no_update BEFORE UPDATE ON draw_private BEGIN SELECT RAISE(ABORT, '抽取记录不能修改'); END;
CREATE TRIGGER draw_private_no_delete BEFORE DELETE ON draw_private BEGIN SELECT RAISE(ABORT, '抽取记录不能删除'); END;
CREATE TRIGGER draw_private_no_replace BEFORE INSERT ON draw_private
    WHEN EXISTS (SELECT 1 FROM draw_private o WHERE o.draw_id = NEW.draw_id)
    BEGIN SELECT RAISE(ABORT, '抽取记录不能改写'); END;

ALTER TABLE visits ADD COLUMN note TEXT;

-- A step taken outside the windows of the visit's tasks carries its reason (检查时间外的原因).
ALTER TABLE visit_events ADD COLUMN reason TEXT;

-- 未实施: a visit of an earlier period that never started, marked with the reason. It does not
-- count toward the yearly cap and is a shortfall in the reports.
CREATE TABLE visit_lapses (
    visit_id INTEGER PRIMARY KEY REFERENCES visits(id),
    reason   TEXT NOT NULL,
    seq      INTEGER NOT NULL REFERENCES audit_log(seq)
) STRICT;
CREATE TRIGGER visit_lapses_no_update BEFORE UPDATE ON visit_lapses BEGIN SELECT RAISE(ABORT, '未实施记录不能修改'); END;
CREATE TRIGGER visit_lapses_no_delete BEFORE DELETE ON visit_lapses BEGIN SELECT RAISE(ABORT, '未实施记录不能删除'); END;
CREATE TRIGGER visit_lapses_no_replace BEFORE INSERT ON visit_lapses
    WHEN EXISTS (SELECT 1 FROM visit_lapses o WHERE o.visit_id = NEW.visit_id)
    BEGIN SELECT RAISE(ABORT, '未实施记录不能改写'); END;
