-- Schema v8 (issue 10, substitutions that cannot steer): a lead substitutes each seat of a
-- team once; a further substitution of the same seat is asked for by a lead and made when a
-- principal who did not ask approves it. Both tables are append-only.
--
-- (Numbered 8 on its branch: version 7 is another branch's. Until they are merged this file
-- is the seventh migration in the list.)
--
-- substitution_requests: the visit, the officer to replace and the reason, with the request's
-- audit event.
--
-- substitution_approvals: the approval of a request. Its event is the `draw.substitute` event
-- of the substitution it made, whose row in `substitutions` carries the same seq.

CREATE TABLE substitution_requests (
    id       INTEGER PRIMARY KEY,
    visit_id INTEGER NOT NULL REFERENCES visits(id),
    out      TEXT NOT NULL,
    reason   TEXT NOT NULL,
    seq      INTEGER NOT NULL UNIQUE REFERENCES audit_log(seq)
) STRICT;

CREATE TABLE substitution_approvals (
    request_id INTEGER PRIMARY KEY REFERENCES substitution_requests(id),
    seq        INTEGER NOT NULL UNIQUE REFERENCES audit_log(seq)
) STRICT;

CREATE TRIGGER substitution_requests_no_update BEFORE UPDATE ON substitution_requests BEGIN SELECT RAISE(ABORT, '替换申请不能修改'); END;
CREATE TRIGGER substitution_requests_no_delete BEFORE DELETE ON substitution_requests BEGIN SELECT RAISE(ABORT, '替换申请不能删除'); END;
CREATE TRIGGER substitution_requests_no_replace BEFORE INSERT ON substitution_requests
    WHEN EXISTS (SELECT 1 FROM substitution_requests o WHERE o.id = NEW.id OR o.seq = NEW.seq)
    BEGIN SELECT RAISE(ABORT, '替换申请不能改写'); END;
CREATE TRIGGER substitution_approvals_no_update BEFORE UPDATE ON substitution_approvals BEGIN SELECT RAISE(ABORT, '替换批准不能修改'); END;
CREATE TRIGGER substitution_approvals_no_delete BEFORE DELETE ON substitution_approvals BEGIN SELECT RAISE(ABORT, '替换批准不能删除'); END;
CREATE TRIGGER substitution_approvals_no_replace BEFORE INSERT ON substitution_approvals
    WHEN EXISTS (SELECT 1 FROM substitution_approvals o WHERE o.request_id = NEW.request_id OR o.seq = NEW.seq)
    BEGIN SELECT RAISE(ABORT, '替换批准不能改写'); END;
