-- Schema v4: append-only tables also refuse INSERT OR REPLACE (and REPLACE INTO).
--
-- REPLACE resolves a key conflict by deleting the old row without firing DELETE triggers
-- (recursive_triggers is off by default, and another process's connection may not turn it
-- on), so the BEFORE UPDATE/DELETE triggers of v1-v3 did not see it. A BEFORE INSERT trigger
-- runs before the conflict is resolved: an insert whose key already exists is refused, which
-- only a REPLACE can reach (a plain INSERT would fail on the key anyway).

CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log
    WHEN EXISTS (SELECT 1 FROM audit_log o WHERE o.seq = NEW.seq)
    BEGIN SELECT RAISE(ABORT, '审计日志不能改写'); END;
CREATE TRIGGER plan_changes_no_replace BEFORE INSERT ON plan_changes
    WHEN EXISTS (SELECT 1 FROM plan_changes o WHERE o.id = NEW.id)
    BEGIN SELECT RAISE(ABORT, '计划调整记录不能改写'); END;
CREATE TRIGGER draws_no_replace BEFORE INSERT ON draws
    WHEN EXISTS (SELECT 1 FROM draws o WHERE o.id = NEW.id)
    BEGIN SELECT RAISE(ABORT, '抽取记录不能改写'); END;
CREATE TRIGGER draw_runs_no_replace BEFORE INSERT ON draw_runs
    WHEN EXISTS (SELECT 1 FROM draw_runs o WHERE o.draw_id = NEW.draw_id)
    BEGIN SELECT RAISE(ABORT, '抽取结果不能改写'); END;
CREATE TRIGGER draw_void_requests_no_replace BEFORE INSERT ON draw_void_requests
    WHEN EXISTS (SELECT 1 FROM draw_void_requests o WHERE o.draw_id = NEW.draw_id)
    BEGIN SELECT RAISE(ABORT, '作废申请不能改写'); END;
CREATE TRIGGER draw_void_approvals_no_replace BEFORE INSERT ON draw_void_approvals
    WHEN EXISTS (SELECT 1 FROM draw_void_approvals o WHERE o.draw_id = NEW.draw_id)
    BEGIN SELECT RAISE(ABORT, '作废审批不能改写'); END;
CREATE TRIGGER visits_no_replace BEFORE INSERT ON visits
    WHEN EXISTS (SELECT 1 FROM visits o WHERE (o.id = NEW.id) OR (o.draw_id = NEW.draw_id AND o.entity = NEW.entity))
    BEGIN SELECT RAISE(ABORT, '检查任务不能改写'); END;
CREATE TRIGGER visit_team_no_replace BEFORE INSERT ON visit_team
    WHEN EXISTS (SELECT 1 FROM visit_team o WHERE o.visit_id = NEW.visit_id AND o.inspector = NEW.inspector)
    BEGIN SELECT RAISE(ABORT, '检查组不能改写，请用替换'); END;
CREATE TRIGGER substitutions_no_replace BEFORE INSERT ON substitutions
    WHEN EXISTS (SELECT 1 FROM substitutions o WHERE o.id = NEW.id)
    BEGIN SELECT RAISE(ABORT, '替换记录不能改写'); END;
CREATE TRIGGER visit_events_no_replace BEFORE INSERT ON visit_events
    WHEN EXISTS (SELECT 1 FROM visit_events o WHERE (o.id = NEW.id) OR (o.visit_id = NEW.visit_id AND o.kind = NEW.kind))
    BEGIN SELECT RAISE(ABORT, '检查进度记录不能改写'); END;
CREATE TRIGGER results_no_replace BEFORE INSERT ON results
    WHEN EXISTS (SELECT 1 FROM results o WHERE o.visit_id = NEW.visit_id)
    BEGIN SELECT RAISE(ABORT, '已提交的检查结果不能改写，请提交更正'); END;
CREATE TRIGGER corrections_no_replace BEFORE INSERT ON corrections
    WHEN EXISTS (SELECT 1 FROM corrections o WHERE o.id = NEW.id)
    BEGIN SELECT RAISE(ABORT, '更正记录不能改写'); END;
CREATE TRIGGER correction_decisions_no_replace BEFORE INSERT ON correction_decisions
    WHEN EXISTS (SELECT 1 FROM correction_decisions o WHERE o.correction_id = NEW.correction_id)
    BEGIN SELECT RAISE(ABORT, '更正审批不能改写'); END;
CREATE TRIGGER followups_no_replace BEFORE INSERT ON followups
    WHEN EXISTS (SELECT 1 FROM followups o WHERE o.id = NEW.id)
    BEGIN SELECT RAISE(ABORT, '后续处理记录不能改写'); END;
CREATE TRIGGER followup_updates_no_replace BEFORE INSERT ON followup_updates
    WHEN EXISTS (SELECT 1 FROM followup_updates o WHERE o.id = NEW.id)
    BEGIN SELECT RAISE(ABORT, '后续处理记录不能改写'); END;
