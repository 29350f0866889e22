-- Schema v7: 个案检查 (targeted checks): inspections made on a complaint, a referral, an
-- incident or a monitoring lead, not drawn. Each is one row, written once with its reason,
-- team (JSON, the lead first), dates and result (JSON, the form of results.data). They are
-- kept apart from visits: the draw tables, the random visits and their caps are untouched.

CREATE TABLE targeted_checks (
    id          INTEGER PRIMARY KEY,
    entity      TEXT NOT NULL REFERENCES entities(code),
    reason      TEXT NOT NULL,
    detail      TEXT NOT NULL,
    team        TEXT NOT NULL,
    started     TEXT NOT NULL,
    completed   TEXT NOT NULL,
    result      TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_on TEXT NOT NULL,
    seq         INTEGER NOT NULL REFERENCES audit_log(seq)
) STRICT;
CREATE INDEX targeted_checks_entity ON targeted_checks(entity);

CREATE TRIGGER targeted_checks_no_update BEFORE UPDATE ON targeted_checks BEGIN SELECT RAISE(ABORT, '个案检查记录不能修改'); END;
CREATE TRIGGER targeted_checks_no_delete BEFORE DELETE ON targeted_checks BEGIN SELECT RAISE(ABORT, '个案检查记录不能删除'); END;
CREATE TRIGGER targeted_checks_no_replace BEFORE INSERT ON targeted_checks
    WHEN EXISTS (SELECT 1 FROM targeted_checks o WHERE o.id = NEW.id)
    BEGIN SELECT RAISE(ABORT, '个案检查记录不能改写'); END;
