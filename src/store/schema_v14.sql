-- Schema v14 (issue 12, scale): covering indexes for the small columns of the draw tables.
--
-- A row of `draws` holds its preparation (15 MB of text at 100,000 entities) before its
-- commitment and audit number, and a row of `draw_runs` its record (8 MB) before its audit
-- number. SQLite reads a column that lies after a long text by walking every overflow page of
-- that text, so each list of draws (the overview reads it twice and `draw list` once) read
-- tens of megabytes at 100,000 entities and hundreds at a million. These indexes hold the
-- columns the lists read, so that they are answered from the indexes alone.
--
-- `IF NOT EXISTS`: the last migrations run again on a database whose version was turned back.
CREATE INDEX IF NOT EXISTS draws_listed ON draws (prepared_seq, id, period, tasks, commitment);
CREATE INDEX IF NOT EXISTS draw_runs_listed ON draw_runs (draw_id, run_seq, run_on);
