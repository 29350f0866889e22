-- Version 2: draws (抽取), their one-shot runs, voids, visits and teams. Nothing here is ever
-- updated or deleted: a run, a void and a substitution are rows of their own.

CREATE TABLE draws (
    id           TEXT PRIMARY KEY,
    period       TEXT NOT NULL,
    tasks        TEXT NOT NULL,
    prepared     TEXT NOT NULL,
    commitment   TEXT NOT NULL,
    prepared_seq INTEGER NOT NULL REFERENCES audit_log(seq)
) STRICT;

CREATE TABLE draw_runs (
    draw_id TEXT PRIMARY KEY REFERENCES draws(id),
    seed    TEXT NOT NULL,
    run_on  TEXT NOT NULL,
    record  TEXT NOT NULL,
    run_seq INTEGER NOT NULL REFERENCES audit_log(seq)
) STRICT;

CREATE TABLE draw_void_requests (
    draw_id TEXT PRIMARY KEY REFERENCES draws(id),
    reason  TEXT NOT NULL,
    seq     INTEGER NOT NULL REFERENCES audit_log(seq)
) STRICT;

CREATE TABLE draw_void_approvals (
    draw_id TEXT PRIMARY KEY REFERENCES draw_void_requests(draw_id),
    seq     INTEGER NOT NULL REFERENCES audit_log(seq)
) STRICT;

-- 检查任务: one per drawn entity.
CREATE TABLE visits (
    id      INTEGER PRIMARY KEY,
    draw_id TEXT NOT NULL REFERENCES draw_runs(draw_id),
    entity  TEXT NOT NULL,
    tasks   TEXT NOT NULL,
    ticket  TEXT NOT NULL,
    problem TEXT,
    UNIQUE (draw_id, entity)
) STRICT;
CREATE INDEX visits_entity ON visits(entity);

CREATE TABLE visit_team (
    visit_id   INTEGER NOT NULL REFERENCES visits(id),
    inspector  TEXT NOT NULL,
    department TEXT NOT NULL,
    lead       INTEGER NOT NULL,
    ticket     TEXT NOT NULL,
    PRIMARY KEY (visit_id, inspector)
) STRICT;

CREATE TABLE substitutions (
    id          INTEGER PRIMARY KEY,
    visit_id    INTEGER NOT NULL REFERENCES visits(id),
    out         TEXT NOT NULL,
    replacement TEXT NOT NULL,
    reason      TEXT NOT NULL,
    skipped     TEXT NOT NULL,
    seq         INTEGER NOT NULL REFERENCES audit_log(seq)
) STRICT;

CREATE TRIGGER draws_no_update BEFORE UPDATE ON draws BEGIN SELECT RAISE(ABORT, '抽取记录不能修改'); END;
CREATE TRIGGER draws_no_delete BEFORE DELETE ON draws BEGIN SELECT RAISE(ABORT, '抽取记录不能删除'); END;
CREATE TRIGGER draw_runs_no_update BEFORE UPDATE ON draw_runs BEGIN SELECT RAISE(ABORT, '抽取结果不能修改'); END;
CREATE TRIGGER draw_runs_no_delete BEFORE DELETE ON draw_runs BEGIN SELECT RAISE(ABORT, '抽取结果不能删除'); END;
CREATE TRIGGER void_requests_no_update BEFORE UPDATE ON draw_void_requests BEGIN SELECT RAISE(ABORT, '作废申请不能修改'); END;
CREATE TRIGGER void_requests_no_delete BEFORE DELETE ON draw_void_requests BEGIN SELECT RAISE(ABORT, '作废申请不能删除'); END;
CREATE TRIGGER void_approvals_no_update BEFORE UPDATE ON draw_void_approvals BEGIN SELECT RAISE(ABORT, '作废审批不能修改'); END;
CREATE TRIGGER void_approvals_no_delete BEFORE DELETE ON draw_void_approvals BEGIN SELECT RAISE(ABORT, '作废审批不能删除'); END;
CREATE TRIGGER visits_no_update BEFORE UPDATE ON visits BEGIN SELECT RAISE(ABORT, '检查任务不能修改'); END;
CREATE TRIGGER visits_no_delete BEFORE DELETE ON visits BEGIN SELECT RAISE(ABORT, '检查任务不能删除'); END;
CREATE TRIGGER visit_team_no_update BEFORE UPDATE ON visit_team BEGIN SELECT RAISE(ABORT, '检查组不能修改，请用替换'); END;
CREATE TRIGGER visit_team_no_delete BEFORE DELETE ON visit_team BEGIN SELECT RAISE(ABORT, '检查组不能删除，请用替换'); END;
CREATE TRIGGER substitutions_no_update BEFORE UPDATE ON substitutions BEGIN SELECT RAISE(ABORT, '替换记录不能修改'); END;
CREATE TRIGGER substitutions_no_delete BEFORE DELETE ON substitutions BEGIN SELECT RAISE(ABORT, '替换记录不能删除'); END;
